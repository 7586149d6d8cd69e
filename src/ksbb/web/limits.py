"""Request limits for pages, per client address, and the page that says so."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ksbb.core.clientip import client_ip
from ksbb.core.ratelimit import take


def over_limit(request: HttpRequest, scope: str, rate: str | None) -> HttpResponse | None:
    """Count this request against ``rate`` for the client's address; a 429 page when it is
    over, None otherwise. Counted before the work, so a burst cannot slip through."""
    verdict = take(scope, client_ip(request) or "", rate)
    if verdict.allowed:
        return None
    minutes = max(1, (verdict.retry_after + 59) // 60)
    response = render(request, "ksbb/too_many.html", {"message": _(
        "Too many attempts from your network. Try again in %(minutes)s minutes.")
        % {"minutes": minutes}}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response
