"""The one place a page follows a ``next`` address.

Every view that sends the visitor on to a ``next`` given in the request goes through
:func:`safe_next`: only an address on this site is followed (Django's
``url_has_allowed_host_and_scheme``), never another host, a scheme-relative ``//host``, a
backslash trick or a ``javascript:`` address. Anything else falls back to the view's own
default, so a link from a phishing mail cannot use the site to send people away.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

FIELD = "next"


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The request's ``next`` (form field, then query string) when it stays on this site;
    ``default`` otherwise."""
    url = request.POST.get(FIELD) or request.GET.get(FIELD) or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return default


def redirect_next(request: HttpRequest, default: str, *args: Any, **kwargs: Any
                  ) -> HttpResponseRedirect:
    """Redirect to the request's safe ``next``, else to ``default`` (a URL name with its
    arguments, or an address, as for ``redirect()``)."""
    return HttpResponseRedirect(safe_next(request) or resolve_url(default, *args, **kwargs))
