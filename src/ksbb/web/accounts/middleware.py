"""Session lifetimes and the two-factor gate, for every request signed in by session.

Token-authenticated API calls never carry a session user at this point (DRF authenticates
them in the view), so neither middleware touches them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ksbb.accounts.mfa import mfa_step

SIGNED_IN_AT = "ksbb_signed_in_at"
LAST_SEEN_AT = "ksbb_last_seen_at"
EXPIRED_FLAG = "ksbb_session_expired"
# The last-seen time is written at most this often: not one session write per request.
_SEEN_RESOLUTION = 60

# Reachable before the second factor is given. Public pages only for reading: a form sent
# from them would act as the half-signed-in user.
_ALWAYS_OPEN = ("/accounts/mfa/", "/accounts/logout/", "/accounts/login/", "/i18n/",
                "/healthz")
_PUBLIC_READ = ("/about/", "/verify/", "/reports/new/", "/reports/track/", "/ideas/",
                "/open-data/", "/coverage/", "/signup/", "/guide/", "/donations/register/",
                "/donations/aggregators/", "/api/schema/", "/api/docs/")


def mark_signed_in(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SessionLifetimeMiddleware:
    """Sign out after KSBB_SESSION_IDLE_MINUTES idle or KSBB_SESSION_MAX_HOURS in all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            signed_in, seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN_AT)
            if signed_in is None or seen is None:
                mark_signed_in(request)  # a session from before these limits: start now
            elif (now - seen > settings.KSBB_SESSION_IDLE_MINUTES * 60
                  or now - signed_in > settings.KSBB_SESSION_MAX_HOURS * 3600):
                logout(request)
                request.session[EXPIRED_FLAG] = True  # for the sign-in page to explain
            elif now - seen >= _SEEN_RESOLUTION:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Keep a signed-in user who owes a second factor on the two-factor pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # OTPMiddleware gave the user is_verified().
        if user.is_authenticated and not user.is_verified():  # type: ignore[attr-defined]
            step = mfa_step(user)
            # The header leaves out the workspaces until the second factor is given.
            request.mfa_pending = step is not None  # type: ignore[attr-defined]
            if step is not None and not _open(request):
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": _(
                        "Two-factor verification is required: finish signing in on the "
                        "website, or use an API token.")}, status=403)
                return redirect(mfa_url(step, request.get_full_path()))
        return self.get_response(request)


def mfa_url(step: str, next_url: str) -> str:
    from django.urls import reverse

    return f"{reverse('mfa_' + step)}?{urlencode({'next': next_url})}"


def _open(request: HttpRequest) -> bool:
    path = request.path_info
    if path.startswith(_ALWAYS_OPEN) or path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    return request.method in ("GET", "HEAD") and (path == "/" or path.startswith(_PUBLIC_READ))
