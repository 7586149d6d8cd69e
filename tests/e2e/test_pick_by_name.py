"""Each role's main task on a phone (390 px) without typing a code (issue 15, "Done when";
observation 1: the forms asked for Kemendagri codes, item codes and ids such as "P-12").

A place is picked by typing the first letters of its name and tapping a suggestion (htmx asks
/areas/search/ as one types; a picked village offers its RWs); items and programmes are
lists. Every form a role meets is checked for a text field that asks for a code.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from ksbb.distribution.services import delivery_schedule
from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_submit
from ksbb.needs.models import AssessmentRound, Need
from ksbb.reports.models import MisuseReport
from tests.conftest import PASSWORD, VILLAGE_A
from tests.distribution.conftest import draft_for, make_allocation
from tests.donations.conftest import setup_donations
from tests.e2e.browser import PHONE, shot
from tests.e2e.signin import sign_in
from tests.e2e.test_accessibility import AXE, AXE_RUN, FAILING

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RW_A1 = f"{VILLAGE_A}.001"
GAMBIR_RW_1 = "Gambir RW 001 - Kec. Gambir - Kota Jakarta Pusat"
# What a text field asking for a code looks like: its label or its placeholder.
_CODE_WORDS = re.compile(r"\b(kode|code)\b|\d{2}\.\d{2}", re.I)
_TYPED = ("input:visible:not([type=hidden]):not([type=submit]):not([type=checkbox])"
          ":not([type=radio]):not([type=file]):not([type=date]):not([type=number])")


def assert_no_code_asked(page: Any) -> None:
    """No visible text field of the page's forms asks for a code."""
    for field in page.locator(f"main form {_TYPED}, #content form {_TYPED}").all():
        ident = field.get_attribute("id") or ""
        label = page.locator(f"label[for='{ident}']").all_inner_texts() if ident else []
        words = " ".join([*label, field.get_attribute("placeholder") or ""])
        assert not _CODE_WORDS.search(words), (page.url, ident, words)


def pick(scope: Any, name: str, typed: str, *choices: str) -> None:
    """Type the first letters into the field ``name`` (of a page or a form) and tap each
    suggestion in turn (a village, then one of its RWs); nothing typed: tap what is shown."""
    field = scope.locator(f"input[name={name}]")
    if typed:
        field.fill("")
        field.press_sequentially(typed)
    box = scope.locator(f"[data-picker-for='{field.get_attribute('id')}']")
    for choice in choices:
        box.locator("button[data-pick]", has_text=choice).first.click()


def choose(scope: Any, name: str, text: str) -> None:
    """Choose the option whose label contains ``text`` (in a page or a form)."""
    select = scope.locator(f"select[name={name}]")
    for option in select.locator("option").all():
        if text in option.inner_text():
            select.select_option(option.get_attribute("value"))
            return
    raise AssertionError(f"no option {text!r} in {name}")


def _phone(browser: Any, base: str, username: str | None = None, *, axe: bool = False) -> Any:
    # axe-core is injected as a script: that page runs without the CSP (the other roles'
    # pages keep it, so the pickers are also checked under it).
    page = browser.new_context(viewport=PHONE, locale="id-ID", bypass_csp=axe).new_page()
    if username:
        sign_in(page, base, username, PASSWORD)
    return page


def test_citizen_reports_misuse_picking_the_rw_by_name(cast: Any, live_server: Any,
                                                      browser: Any) -> None:
    page = _phone(browser, live_server.url, axe=True)
    page.goto(f"{live_server.url}/reports/new/")
    assert_no_code_asked(page)
    page.select_option("select[name=category]", index=1)
    pick(page, "area", "gamb", "Gambir")
    # The suggestions (here the village's RWs) pass axe-core like the rest of the page.
    page.locator("[data-pick*='RW 001']").wait_for()
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(AXE_RUN)
    assert not [v["id"] for v in found["violations"] if v["impact"] in FAILING]
    pick(page, "area", "", "RW 001")
    assert page.input_value("input[name=area]") == GAMBIR_RW_1
    page.fill("textarea[name=description]", "Paket sembako dijual di warung.")
    question = page.inner_text("label[for=id_challenge_answer]")
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    page.fill("#id_challenge_answer", str(a + b if "+" in question else a - b))
    shot(page, "pick-by-name", "citizen-report")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert MisuseReport.objects.get().area_id == RW_A1


def test_collaborator_pledges_picking_item_and_area_by_name(cast: Any, live_server: Any,
                                                           browser: Any) -> None:
    setup_donations(cast)
    page = _phone(browser, live_server.url, "collaborator")
    page.goto(f"{live_server.url}/donations/pledges/new/")
    assert_no_code_asked(page)
    choose(page, "aggregator", cast.aggregator_org.name)
    choose(page, "item", "Paket sembako")
    page.fill("input[name=quantity]", "25")
    pick(page, "preferred_area", "Gambir", "Gambir")
    shot(page, "pick-by-name", "collaborator-pledge")
    page.locator("form:has(select[name=item]) button[type=submit]").click()
    page.wait_for_load_state()
    pledge = Pledge.objects.get()
    assert (pledge.item.code, pledge.quantity, pledge.preferred_area_id) == (
        "sembako", 25, VILLAGE_A)


def test_assessor_opens_a_round_and_sets_a_need_by_name(cast: Any, live_server: Any,
                                                       browser: Any) -> None:
    page = _phone(browser, live_server.url, "assessor")
    base = live_server.url
    page.goto(f"{base}/backoffice/rounds/new/")
    assert_no_code_asked(page)
    page.fill("input[name=name]", "Pangan Gambir")
    choose(page, "program", "Pangan")
    today = timezone.localdate()
    page.fill("input[name=period_start]", today.isoformat())
    page.fill("input[name=period_end]", (today + datetime.timedelta(days=30)).isoformat())
    page.locator("form:has(input[name=period_end]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/backoffice/rounds/\d+/$"))
    assert_no_code_asked(page)
    form = page.locator("form:has(input[name=recipient])").first
    pick(form, "recipient", "Gamb", "Gambir", "RW 001")
    choose(form, "item", "Paket sembako")
    form.locator("input[name=quantity]").fill("40")
    shot(page, "pick-by-name", "assessor-need")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    need = Need.objects.get(round=AssessmentRound.objects.get())
    assert (need.recipient.area_id, need.item.code, need.quantity) == (RW_A1, "sembako", 40)


def _delivery(cast: Any) -> Any:
    don = setup_donations(cast)
    allocation = make_allocation(cast, don, quantity=40)
    return delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                             scheduled_for=timezone.localdate(), by=cast.assessor)


def test_executor_delivers_without_a_code(cast: Any, live_server: Any, browser: Any) -> None:
    delivery = _delivery(cast)
    page = _phone(browser, live_server.url, "executor")
    page.goto(f"{live_server.url}/field/deliveries/")
    page.click(f"a[href='/field/deliveries/{delivery.pk}/']")
    page.click("form[action$='/dispatch/'] button")
    page.click("form[action$='/deliver/'] button")
    assert_no_code_asked(page)
    page.fill("#bast-address", "Balai warga RW 001, Gambir")
    page.click("form[action$='/handover/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/field/handovers/\d+/$"))
    assert_no_code_asked(page)
    page.click("form[action$='/confirm/'] button")
    page.wait_for_load_state()
    delivery.refresh_from_db()
    assert delivery.handovers.get().giver_confirmed_at is not None


def test_ketua_rw_confirms_the_bast_without_a_code(cast: Any, live_server: Any,
                                                   browser: Any) -> None:
    from ksbb.distribution.services import delivery_deliver, delivery_dispatch, handover_confirm

    delivery = _delivery(cast)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    handover = handover_confirm(handover=draft_for(delivery, cast.executor), role="giver",
                                by=cast.executor)
    page = _phone(browser, live_server.url, "ketua_rw")
    page.goto(f"{live_server.url}/field/handovers/{handover.pk}/")
    assert_no_code_asked(page)
    page.click("form[action$='/confirm/'] button")
    page.wait_for_load_state()
    handover.refresh_from_db()
    assert handover.receiver_confirmed_at is not None


def test_aggregator_receives_a_pledge_from_its_inbox_without_a_code(
        cast: Any, live_server: Any, browser: Any) -> None:
    don = setup_donations(cast)
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           item=don.sembako, quantity=50, by=cast.collaborator)
    page = _phone(browser, live_server.url, "aggregator")
    page.goto(f"{live_server.url}/donations/inbox/")
    assert_no_code_asked(page)
    row = page.locator("tr", has=page.locator(f"a[href='/donations/pledges/{pledge.pk}/']"))
    row.locator(f"#received-{pledge.pk}").fill("45")
    shot(page, "pick-by-name", "aggregator-inbox")
    row.locator("form[action$='/receive/'] button[type=submit]").click()
    page.wait_for_load_state()
    pledge.refresh_from_db()
    assert (pledge.state, pledge.received_quantity) == (Pledge.State.RECEIVED, 45)


def test_kelurahan_witnesses_the_bast_without_a_code(cast: Any, live_server: Any,
                                                     browser: Any) -> None:
    from ksbb.distribution.services import delivery_deliver, delivery_dispatch, handover_confirm

    delivery = _delivery(cast)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    handover = handover_confirm(handover=draft_for(delivery, cast.executor), role="giver",
                                by=cast.executor)
    handover = handover_confirm(handover=handover, role="receiver", by=cast.ketua_rw)
    page = _phone(browser, live_server.url, "kelurahan")
    page.goto(f"{live_server.url}/field/handovers/{handover.pk}/")
    assert_no_code_asked(page)
    page.click("form[action$='/confirm/']:has(input[name=role][value=witness]) button")
    page.wait_for_load_state()
    handover.refresh_from_db()
    assert handover.witness_confirmed_at is not None


def test_a_filters_button_stays_put_as_place_suggestions_arrive(cast: Any, live_server: Any,
                                                                browser: Any) -> None:
    """The suggestions come 250 ms after typing: they must not push the filter's button
    away from under a finger about to tap it (a click then picked a suggestion instead)."""
    page = _phone(browser, live_server.url, "assessor")
    page.goto(f"{live_server.url}/backoffice/deliveries/schedule/")
    field = page.locator("#within")
    show = page.locator("form:has(#within) button[type=submit]")
    hit = page.locator("#within-suggest button[data-pick]").first
    for size in (PHONE, {"width": 1280, "height": 800}):
        page.set_viewport_size(size)
        field.fill("")
        hit.wait_for(state="detached")
        before = show.bounding_box()
        field.press_sequentially("gamb")
        hit.wait_for()
        assert show.bounding_box() == before, size
