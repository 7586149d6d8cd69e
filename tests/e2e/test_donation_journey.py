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

import pytest
from django.core import mail

from ksbb.accounts.models import Role
from ksbb.accounts.services import membership_grant, user_create
from ksbb.core.domain import SystemActor
from ksbb.donations.models import Item, Pledge
from ksbb.donations.services import aggregator_register, aggregator_verify
from tests.e2e.browser import DESKTOP, shots
from tests.e2e.signin import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"


def test_donation_journey(live_server, browser):  # type: ignore[no-untyped-def]
    sembako = Item.objects.get(code="sembako")
    admin = user_create(username="admin-e2e", password=PASSWORD, by=SystemActor("test"))
    membership_grant(user=admin, role=Role.PLATFORM_ADMIN, by=SystemActor("test"))
    aggregator = aggregator_register(
        name="BAZNAS DKI", licence_number="KEP-123/MS/2020",
        licence_valid_until=dt.date.today() + dt.timedelta(days=365),
        email="staf@baznas.example", password=PASSWORD, by=SystemActor("test")).organization
    aggregator_verify(aggregator=aggregator, by=admin)
    base = live_server.url

    donor = browser.new_context(viewport=DESKTOP).new_page()

    # 1. Public registration.
    donor.goto(f"{base}/donations/register/")
    donor.select_option("select[name=kind]", "community")
    donor.fill("input[name=name]", "Komunitas Peduli Gambir")
    donor.fill("input[name=email]", "peduli@example.com")
    donor.fill("input[name=password]", PASSWORD)
    shots(donor, "donation-journey", "01-register")
    donor.click("main form [type=submit]")
    donor.wait_for_url(re.compile(r"/accounts/login/"))
    shots(donor, "donation-journey", "02-registered")

    # 2. The confirmation link from the e-mail.
    assert len(mail.outbox) == 1
    link = next(w for w in mail.outbox[0].body.split() if "/verify-email/" in w)
    donor.goto(base + link[link.index("/donations/"):])
    assert donor.locator("p.error").count() == 0
    shots(donor, "donation-journey", "03-email-confirmed")

    # 3. Sign in and pledge 1,000 sembako packages through the verified aggregator.
    sign_in(donor, base, "peduli@example.com")
    donor.goto(f"{base}/donations/pledges/new/")
    donor.select_option("select[name=aggregator]", str(aggregator.pk))
    donor.check("input[name=kind][value=goods]")
    donor.select_option("select[name=item]", str(sembako.pk))
    donor.fill("input[name=quantity]", "1000")
    shots(donor, "donation-journey", "04-pledge-form")
    donor.click("main form [type=submit]")
    donor.wait_for_url(re.compile(r"/donations/pledges/\d+/$"))
    pledge = Pledge.objects.get()
    assert (pledge.quantity, pledge.state, pledge.aggregator_id) == (
        1000, "submitted", aggregator.pk)
    shots(donor, "donation-journey", "05-pledge-submitted")

    # 4. The aggregator confirms receipt of 950 from its inbox.
    staff = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(staff, base, "staf@baznas.example")
    staff.goto(f"{base}/donations/inbox/")
    staff.fill(f"#received-{pledge.pk}", "950")
    shots(staff, "donation-journey", "06-inbox")
    staff.click(f"form:has(#received-{pledge.pk}) [type=submit]")
    staff.wait_for_load_state()
    shots(staff, "donation-journey", "07-received")
    pledge.refresh_from_db()
    assert (pledge.state, pledge.received_quantity) == ("received", 950)

    # 5. The collaborator sees 950 received on the trail page.
    donor.goto(f"{base}/donations/pledges/{pledge.pk}/")
    received = donor.locator("dd", has_text="950")
    assert received.count() == 1
    assert donor.locator('[data-action="pledge.received"]').count() == 1
    assert donor.locator(f'a[href$="/pledges/{pledge.pk}/receipt.pdf"]').count() == 1
    shots(donor, "donation-journey", "08-trail-950-received")
