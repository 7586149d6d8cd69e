"""Request limits for the API, per client address (anonymous) and per account.

Aid platforms attract scrapers and scripted abuse; the pages have their own limits
(sign-in lockout, misuse-report rate limit), the API gets these. Rates come from settings
at request time (``KSBB_API_THROTTLE_RATES``, set by KSBB_API_ANON_RATE and
KSBB_API_USER_RATE), so that a rate of None switches a limit off, and the address is the
one the sign-in lockout counts (``ksbb.core.clientip``), not a client-written header.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from ksbb.core.clientip import client_ip


class _FromSettings:
    scope: str

    def get_rate(self) -> str | None:
        return settings.KSBB_API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or ""


class AnonThrottle(_FromSettings, AnonRateThrottle):
    scope = "anon"


class UserThrottle(_FromSettings, UserRateThrottle):
    scope = "user"
