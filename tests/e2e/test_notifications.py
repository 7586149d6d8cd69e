"""The bell and the inbox on a phone (issue 15): the collaborator sees how many
notifications are unread, reads them at 390 px without sideways scrolling, marks one read
(htmx: the row and the bell change in place) and opens the e-mail choices. axe-core finds
nothing serious or critical on either page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from ksbb.core.domain import SystemActor
from ksbb.notifications.models import Kind
from ksbb.notifications.services import notify
from tests.e2e.browser import PHONE, shot
from tests.e2e.signin import sign_in
from tests.e2e.test_accessibility import AXE, AXE_RUN, FAILING
from tests.e2e.test_roles_accessibility import OVERFLOW

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _serious(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(AXE_RUN)
    return [f"{v['id']} ({v['impact']})" for v in found["violations"]
            if v["impact"] in FAILING]


def test_bell_inbox_and_choices_on_a_phone(live_server, cast, browser):  # type: ignore[no-untyped-def]
    cache.clear()
    for kind in (Kind.PLEDGE_RECEIVED, Kind.PLEDGE_ALLOCATED):
        notify(kind=kind, recipients=[cast.collaborator], by=SystemActor("test"),
               context={"aggregator": "BAZNAS DKI", "what": "950 × Paket sembako",
                        "pledge": 1}, link=reverse("donations:mine"))
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="id-ID")
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, cast.collaborator.username)
    assert page.locator("#bell .badge").inner_text() == "2"

    page.click("#bell")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/notifications/")
    assert page.locator("ul.notifications li.unread").count() == 2
    assert "Donasi Anda telah diterima oleh BAZNAS DKI" in page.content()
    assert page.evaluate(OVERFLOW) is None
    assert _serious(page) == []
    shot(page, "notifications", "inbox-phone")

    page.locator("ul.notifications li.unread button").first.click()
    page.wait_for_function("document.querySelectorAll('ul.notifications li.unread').length == 1")
    assert page.locator("#bell .badge").inner_text() == "1"
    assert page.url.endswith("/notifications/"), "htmx: the page stays"

    page.click("text=Atur e-mail yang Anda terima")
    page.wait_for_load_state("networkidle")
    assert page.locator("input[name=email_pledge_received]").is_checked()
    assert page.evaluate(OVERFLOW) is None
    assert _serious(page) == []
    page.uncheck("input[name=email_pledge_received]")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert not page.locator("input[name=email_pledge_received]").is_checked()
    context.close()
