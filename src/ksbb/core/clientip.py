"""The client's address, for counting: sign-in failures (django-axes) and misuse reports."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind KSBB_PROXY_COUNT trusted proxies the address the outermost of
    them appended to X-Forwarded-For. Entries further left are written by the client and
    would let anyone escape a limit."""
    count = settings.KSBB_PROXY_COUNT
    if count:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
