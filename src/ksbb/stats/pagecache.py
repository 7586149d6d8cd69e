"""Whole responses of the public pages and the public API, cached for anonymous visitors
until the figures change.

The key holds the statistics generation (ksbb.stats.models.Generation, bumped in the same
transaction as every change the figures count), the language and the full path, so a
change invalidates every page at once, in every process. Reading the generation is a query;
a cache hit should cost no more than Django's own request cycle, so each process remembers
the number for ``GENERATION_SECONDS``: another process's change shows here at most that
much later (this process's own changes show at once, see :func:`forget_generation`).

Only anonymous GETs without a session or messages cookie are served from or stored in the
cache: a signed-in page shows the user, and a cached page must not carry anything personal
(the pages cached here hold no CSRF token; the language switcher does not need one).
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from ksbb.stats.models import Generation

GENERATION_SECONDS = 1.0
# A safety net: the page also shows things outside the generation (the audit log's head).
PAGE_SECONDS = 60
MAX_PATH = 512  # longer query strings are served, not cached: no flooding the cache
_memo: dict[str, float | int] = {"value": -1, "until": 0.0}
_memo_lock = threading.Lock()


def forget_generation() -> None:
    """This process bumped the generation: read it again at the next request."""
    _memo["until"] = 0.0


def current_generation() -> int:
    now = time.monotonic()
    if now >= _memo["until"]:
        value = Generation.objects.filter(pk=1).values_list("value", flat=True).first() or 0
        with _memo_lock:
            _memo["value"], _memo["until"] = value, now + GENERATION_SECONDS
    return int(_memo["value"])


def is_cacheable(request: HttpRequest) -> bool:
    """An anonymous GET: no session, no pending messages, no credentials."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return len(request.get_full_path()) <= MAX_PATH


def _key(scope: str, request: HttpRequest, variant: str) -> str:
    lang = translation.get_language() or settings.LANGUAGE_CODE
    return (f"ksbb:page:{current_generation()}:{lang}:{scope}:{variant}:"
            f"{request.get_full_path()}")


# Each process also keeps the latest pages in memory: a hit then costs no unpickling (the
# shared cache holds them for the other processes). Keys carry the generation, so an entry
# of an old generation is simply never asked for again and ages out.
_LOCAL_ENTRIES = 128
_local: OrderedDict[str, tuple[bytes, str, float]] = OrderedDict()
_local_lock = threading.Lock()


def _get(key: str) -> tuple[bytes, str] | None:
    now = time.monotonic()
    with _local_lock:
        entry = _local.get(key)
        if entry is not None and entry[2] > now:
            _local.move_to_end(key)
            return entry[0], entry[1]
    stored = cache.get(key)
    if stored is not None:
        _remember(key, stored)
    return stored


def _remember(key: str, stored: tuple[bytes, str]) -> None:
    with _local_lock:
        _local[key] = (stored[0], stored[1], time.monotonic() + PAGE_SECONDS)
        _local.move_to_end(key)
        while len(_local) > _LOCAL_ENTRIES:
            _local.popitem(last=False)


def _set(key: str, stored: tuple[bytes, str]) -> None:
    cache.set(key, stored, PAGE_SECONDS)
    _remember(key, stored)


def clear_local() -> None:
    """Forget this process's copies (tests that clear the shared cache call this too)."""
    with _local_lock:
        _local.clear()


def serve_cached(request: HttpRequest, scope: str, render: Callable[[], HttpResponse], *,
                 variant: str = "") -> HttpResponse:
    """``render()``'s response, from the cache when it is there (200 responses only)."""
    if not is_cacheable(request):
        return render()
    key = _key(scope, request, variant)
    stored = _get(key)
    if stored is not None:
        content, content_type = stored
        response = HttpResponse(content, content_type=content_type)
        response["X-KSBB-Cache"] = "hit"
        return response
    response = render()
    if response.status_code == 200 and not response.streaming and not response.cookies:
        if hasattr(response, "render") and callable(response.render):
            response.render()  # a TemplateResponse (DRF's Response too)
        if variant != "json" or response["Content-Type"].startswith("application/json"):
            _set(key, (response.content, response["Content-Type"]))
            response["X-KSBB-Cache"] = "miss"
    return response


def cached_api(scope: str, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public API view whose JSON answers to anonymous clients come from the cache as
    rendered bytes, before DRF (authentication, throttling, negotiation) even starts: a hit
    costs what a page hit costs. Other formats (the browsable API) go to DRF as usual."""
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        accept = request.headers.get("Accept", "*/*")
        wants_json = request.GET.get("format", "json") == "json" and (
            "application/json" in accept or accept.strip() in ("", "*/*"))
        if not wants_json:
            return view(request, *args, **kwargs)
        response = serve_cached(request, scope, lambda: view(request, *args, **kwargs),
                                variant="json")
        response["Vary"] = "Accept, Accept-Language, Cookie"
        return response
    wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # as DRF's views are
    return wrapped


def public_cache(scope: str) -> Callable[[Callable[..., HttpResponse]],
                                         Callable[..., HttpResponse]]:
    """View decorator: :func:`serve_cached` for the whole view."""
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return serve_cached(request, scope, lambda: view(request, *args, **kwargs))
        return wrapped
    return decorate


def cached_value(request: HttpRequest, scope: str, compute: Callable[[], Any]) -> Any:
    """``compute()``'s value (JSON-ready data of an API answer), cached like the pages: the
    API renders it in the format asked for, so only the data is kept."""
    if not is_cacheable(request):
        return compute()
    key = _key(scope, request, "data")
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, PAGE_SECONDS)
    return value
