"""Sign-in lockout that a stranger cannot turn against the account's owner.

django-axes locks one account name *from one address* after KSBB_LOGIN_FAILURE_LIMIT
failures: guessing from elsewhere does not lock the owner out at home. Guessing spread over
many addresses (or many accounts from one address) meets a longer threshold,
KSBB_LOGIN_ACCOUNT_FAILURE_LIMIT failures per account or per address within the cool-off.
That one spares a browser that signed in to the account successfully before: it carries a
signed "known device" cookie (OWASP's device cookies), which a stranger does not have.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from ksbb.core.clientip import client_ip
from ksbb.core.ratelimit import Rate, peek, take

DEVICE_COOKIE = "ksbb_device"
_DEVICE_SALT = "ksbb.accounts.known-device"
_DEVICE_DAYS = 180
_DEVICES_KEPT = 5


def _rate() -> Rate:
    return Rate(settings.KSBB_LOGIN_ACCOUNT_FAILURE_LIMIT,
                int(settings.AXES_COOLOFF_TIME.total_seconds()))


def _account(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:24]


def _known(request: HttpRequest) -> list[str]:
    try:
        value = request.get_signed_cookie(DEVICE_COOKIE, salt=_DEVICE_SALT,
                                          max_age=_DEVICE_DAYS * 86400)
    except (KeyError, signing.BadSignature):
        return []
    return [v for v in value.split(",") if v]


def known_device(request: HttpRequest, username: str) -> bool:
    return _account(username) in _known(request)


def locked(request: HttpRequest, username: str) -> bool:
    """True when the longer, account- or address-wide threshold is reached and this browser
    has not signed in to the account before."""
    if known_device(request, username):
        return False
    return not (peek("login-account", _account(username), _rate())
                and peek("login-address", client_ip(request) or "", _rate()))


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    accounts = [a for a in _known(request) if a != _account(username)]
    accounts = [_account(username), *accounts][:_DEVICES_KEPT]
    response.set_signed_cookie(DEVICE_COOKIE, ",".join(accounts), salt=_DEVICE_SALT,
                               max_age=_DEVICE_DAYS * 86400, httponly=True,
                               secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")


@receiver(user_login_failed)
def _count_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                   **kwargs: Any) -> None:
    if request is None:
        return
    take("login-account", _account(str(credentials.get("username", ""))), _rate())
    take("login-address", client_ip(request) or "", _rate())
