"""The donations journey in a real browser (issue #3, "Done when"): a collaborator
registers on the public page and confirms the e-mail address, pledges 1,000 staple food
packages through a verified aggregator, the aggregator confirms receipt of 950, and the
collaborator sees 950 received on the trail page.

Headless Chromium from the system (Debian's package), driven by Playwright for Python;
no browser is downloaded. Screenshots of each step at desktop (1280) and phone (390)
widths go to test-artifacts/ (not committed).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from ksbb.accounts.models import Role
from ksbb.accounts.services import membership_grant, user_create
from ksbb.donations.models import Item, Pledge, Program
from ksbb.donations.seed import seed_programs
from ksbb.donations.services import aggregator_register, aggregator_verify
from tests.conftest import SETUP
from tests.e2e.signin import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "donation-journey"
PASSWORD = "correct-horse-battery-9"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _shot(page: Any, step: str) -> None:
    """Screenshots of the current page at desktop and phone width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{step}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_donation_journey(live_server, monkeypatch):  # type: ignore[no-untyped-def]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # The test body reads the database while Playwright's event loop runs in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    # A flush (transaction=True) removed the seeded programmes: seed them again.
    seed_programs(Program, Item)
    sembako = Item.objects.get(code="sembako")
    admin = user_create(username="admin-e2e", password=PASSWORD, by=SETUP)
    membership_grant(user=admin, role=Role.PLATFORM_ADMIN, by=SETUP)
    aggregator = aggregator_register(
        name="BAZNAS DKI", licence_number="KEP-123/MS/2020",
        licence_valid_until=dt.date.today() + dt.timedelta(days=365),
        email="staf@baznas.example", password=PASSWORD, by=SETUP).organization
    aggregator_verify(aggregator=aggregator, by=admin)
    base = live_server.url

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            donor = browser.new_context(viewport=DESKTOP).new_page()

            # 1. Public registration.
            donor.goto(f"{base}/donations/register/")
            donor.select_option("select[name=kind]", "community")
            donor.fill("input[name=name]", "Komunitas Peduli Gambir")
            donor.fill("input[name=email]", "peduli@example.com")
            donor.fill("input[name=password]", PASSWORD)
            _shot(donor, "01-register")
            donor.click("main form [type=submit]")
            donor.wait_for_url(re.compile(r"/accounts/login/"))
            _shot(donor, "02-registered")

            # 2. The confirmation link from the e-mail.
            assert len(mail.outbox) == 1
            link = next(w for w in mail.outbox[0].body.split() if "/verify-email/" in w)
            donor.goto(base + link[link.index("/donations/"):])
            assert donor.locator("p.error").count() == 0
            _shot(donor, "03-email-confirmed")

            # 3. Sign in and pledge 1,000 sembako packages through the verified aggregator.
            sign_in(donor, base, "peduli@example.com")
            donor.goto(f"{base}/donations/pledges/new/")
            donor.select_option("select[name=aggregator]", str(aggregator.pk))
            donor.check("input[name=kind][value=goods]")
            donor.select_option("select[name=item]", str(sembako.pk))
            donor.fill("input[name=quantity]", "1000")
            _shot(donor, "04-pledge-form")
            donor.click("main form [type=submit]")
            donor.wait_for_url(re.compile(r"/donations/pledges/\d+/$"))
            pledge = Pledge.objects.get()
            assert (pledge.quantity, pledge.state, pledge.aggregator_id) == (
                1000, "submitted", aggregator.pk)
            _shot(donor, "05-pledge-submitted")

            # 4. The aggregator confirms receipt of 950 from its inbox.
            staff = browser.new_context(viewport=DESKTOP).new_page()
            sign_in(staff, base, "staf@baznas.example")
            staff.goto(f"{base}/donations/inbox/")
            staff.fill(f"#received-{pledge.pk}", "950")
            _shot(staff, "06-inbox")
            staff.click(f"form:has(#received-{pledge.pk}) [type=submit]")
            staff.wait_for_load_state()
            _shot(staff, "07-received")
            pledge.refresh_from_db()
            assert (pledge.state, pledge.received_quantity) == ("received", 950)

            # 5. The collaborator sees 950 received on the trail page.
            donor.goto(f"{base}/donations/pledges/{pledge.pk}/")
            received = donor.locator("dd", has_text="950")
            assert received.count() == 1
            assert donor.locator('[data-action="pledge.received"]').count() == 1
            assert donor.locator(f'a[href$="/pledges/{pledge.pk}/receipt.pdf"]').count() == 1
            _shot(donor, "08-trail-950-received")
        finally:
            browser.close()
            # Code run inside Playwright's block has its own context (greenlet), hence its
            # own database connection: close it, or the test database cannot be dropped.
            connection.close()
