"""Two-factor sign-in in a real browser: setup with the QR page, backup codes, and a later
sign-in with a code, through the shared helper tests.e2e.signin."""

from __future__ import annotations

import pytest

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import membership_grant, organization_create, user_create
from ksbb.core.domain import SystemActor
from tests.e2e.browser import shot
from tests.e2e.signin import PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_setup_then_verify(live_server, browser):  # type: ignore[no-untyped-def]
    government = organization_create(kind=Organization.Kind.GOVERNMENT, name="Dinsos",
                                     by=SystemActor("test"))
    user = user_create(username="asesor-e2e", password=PASSWORD, by=SystemActor("test"))
    membership_grant(user=user, role=Role.ASSESSOR, organization=government, by=SystemActor("test"))
    base = live_server.url
    secrets: dict[str, str] = {}

    page = browser.new_context().new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "asesor-e2e")
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=username]) [type=submit]")
    page.wait_for_load_state()
    assert "/accounts/mfa/setup/" in page.url
    assert page.locator("img[src^='data:image/svg+xml']").count() == 1
    shot(page, "two-factor", "01-setup")
    sign_in(page, base, "asesor-e2e", secrets=secrets)
    shot(page, "two-factor", "02-backup-codes")
    assert "asesor-e2e" in secrets
    # Right after setup: the backup codes, shown once.
    assert page.locator("#backup-codes li").count() == 10
    page.goto(f"{base}/backoffice/")
    assert "/accounts/" not in page.url

    # A new browser: the password alone is not enough, the code is asked.
    other = browser.new_context().new_page()
    other.goto(f"{base}/backoffice/")
    assert "/accounts/login/" in other.url
    sign_in(other, base, "asesor-e2e", secrets=secrets)
    other.goto(f"{base}/backoffice/")
    assert other.url.endswith("/backoffice/")
