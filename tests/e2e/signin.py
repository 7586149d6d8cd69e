"""Signing in through the pages, as a user would, for every browser test.

The contract with the sign-in pages (``ksbb.web`` accounts views):
- ``/accounts/login/`` has ``input[name=username]`` and ``input[name=password]``.
- A role that must use two-factor authentication (platform admin, assessor, aggregator staff)
  then lands on ``/accounts/mfa/setup/`` the first time: the page shows the TOTP secret
  (base32) in an element with the attribute ``data-totp-secret``, and a form with
  ``input[name=otp_token]``. Later sign-ins land on ``/accounts/mfa/verify/`` with the same
  input. Both forms are submitted with their ``[type=submit]`` button.

The secret read at setup is kept in ``secrets`` (per username), so later sign-ins of the same
user can compute their code the way an authenticator app would.
"""

from __future__ import annotations

import base64
import time
from typing import Any

PASSWORD = "correct-horse-battery-9"
STEP = 30
_last_step: dict[str, int] = {}


def totp_now(secret: str, *, username: str = "") -> str:
    """The current 6-digit TOTP (RFC 6238, SHA-1, 30 s) for a base32 secret.

    A code is accepted once: when this user already used the current step, wait for the next.
    """
    from django_otp.oath import totp

    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret) % 8))
    step = int(time.time()) // STEP
    if username and _last_step.get(username) == step:
        time.sleep(STEP - time.time() % STEP + 0.5)
        step = int(time.time()) // STEP
    if username:
        _last_step[username] = step
    return f"{totp(key, step=STEP):06d}"


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD,
            secrets: dict[str, str] | None = None) -> None:
    """Sign in through /accounts/login/, passing the two-factor step when it comes."""
    secrets = secrets if secrets is not None else _SECRETS
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=username]) [type=submit]")
    page.wait_for_load_state()
    if "/accounts/mfa/setup/" in page.url:
        secret = page.locator("[data-totp-secret]").first.get_attribute("data-totp-secret")
        assert secret, "the two-factor setup page shows no secret"
        secrets[username] = secret
    elif "/accounts/mfa/verify/" in page.url:
        secret = secrets[username]
    else:
        return
    page.fill("input[name=otp_token]", totp_now(secret, username=username))
    page.click("form:has(input[name=otp_token]) [type=submit]")
    page.wait_for_load_state()
    assert "/accounts/mfa/" not in page.url, f"two-factor step refused for {username}"


# Secrets of users set up in this test process (the default store for sign_in).
_SECRETS: dict[str, str] = {}
