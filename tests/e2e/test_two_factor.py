"""Two-factor sign-in in a real browser: setup with the QR page, backup codes, and a later
sign-in with a code, through the shared helper tests.e2e.signin."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import connection

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import membership_grant, organization_create, user_create
from tests.conftest import SETUP
from tests.e2e.signin import PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "two-factor"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def test_setup_then_verify(live_server, monkeypatch):  # type: ignore[no-untyped-def]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    government = organization_create(kind=Organization.Kind.GOVERNMENT, name="Dinsos",
                                     by=SETUP)
    user = user_create(username="asesor-e2e", password=PASSWORD, by=SETUP)
    membership_grant(user=user, role=Role.ASSESSOR, organization=government, by=SETUP)
    base = live_server.url
    secrets: dict[str, str] = {}

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context().new_page()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", "asesor-e2e")
            page.fill("input[name=password]", PASSWORD)
            page.click("form:has(input[name=username]) [type=submit]")
            page.wait_for_load_state()
            assert "/accounts/mfa/setup/" in page.url
            assert page.locator("img[src^='data:image/svg+xml']").count() == 1
            page.screenshot(path=str(ARTIFACTS / "01-setup.png"), full_page=True)
            sign_in(page, base, "asesor-e2e", secrets=secrets)
            page.screenshot(path=str(ARTIFACTS / "02-backup-codes.png"), full_page=True)
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
        finally:
            browser.close()
            connection.close()
