"""Request limits for the API, per client address (anonymous) and per account.

Aid platforms attract scrapers and scripted abuse; the pages have their own limits
(sign-in lockout, misuse-report rate limit), the API gets these. Rates come from settings
at request time (``KSBB_API_THROTTLE_RATES``, set by KSBB_API_ANON_RATE and
KSBB_API_USER_RATE), so that a rate of None switches a limit off, and the address is the
one the sign-in lockout counts (``ksbb.core.clientip``), not a client-written header.

The count lives in the shared cache and is taken atomically before the view runs
(``ksbb.core.ratelimit``): DRF's own throttles read a history, decide and write it back,
so concurrent requests to several workers could all pass on the same count.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from ksbb.core.clientip import client_ip
from ksbb.core.ratelimit import take


class _Throttle(BaseThrottle):
    scope: str
    _wait: float | None = None

    def ident(self, request: Any) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Any, view: Any) -> bool:
        rate = settings.KSBB_API_THROTTLE_RATES.get(self.scope)
        who = self.ident(request)
        if rate is None or who is None:
            return True
        verdict = take(f"api-{self.scope}", who, rate)
        self._wait = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return self._wait


class AnonThrottle(_Throttle):
    scope = "anon"

    def ident(self, request: Any) -> str | None:
        return None if request.user.is_authenticated else (client_ip(request) or "")


class UserThrottle(_Throttle):
    scope = "user"

    def ident(self, request: Any) -> str | None:
        return str(request.user.pk) if request.user.is_authenticated else None
