from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from ksbb.api.errors import _number_out_of_range


class LanguageMiddleware(LocaleMiddleware):
    """Indonesian unless the user picked English with the switcher (a cookie).

    Pages ignore the browser's Accept-Language: an officer's phone set to English should
    still get the programme's language first. API clients do send Accept-Language on
    purpose, so under /api/ it is honoured.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNullCharactersMiddleware:
    """Answers 400 to a request whose query or form values contain a NUL character.

    PostgreSQL cannot store or compare NUL in text, so such a value would otherwise reach the
    database as a filter and come back as a server error; no legitimate client sends one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            message = _("The request contains a null character (\\0), which is not allowed.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            return any("\x00" in value or "\x00" in key
                       for key, values in request.POST.lists() for value in values)
        return False


class DatabaseBusyMiddleware:
    """Two database errors that are not the server's fault. A number beyond what a column
    holds answers 400. A write that waited for SQLite's lock longer than its timeout
    answers 503 with Retry-After, not 500: the request changed nothing (its transaction
    rolled back) and can simply be sent again. Anything else propagates."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if _number_out_of_range(exception):
            # A number no column can hold (2^63 typed into a form): the sender's mistake.
            message = _("a number in the request is too large")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        if not is_database_busy(exception):
            return None
        import logging

        logging.getLogger("ksbb.web").warning("database busy: %s %s answered 503",
                                              request.method, request.path)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": _(
                "The database is busy; nothing was saved. Try again in a few seconds.")},
                status=503)
        else:
            from django.shortcuts import render

            response = render(request, "ksbb/busy.html", status=503)
        response["Retry-After"] = "5"
        return response


def is_database_busy(exception: BaseException) -> bool:
    from django.db import OperationalError

    text = str(exception).lower()
    return isinstance(exception, OperationalError) and (
        "database is locked" in text or "database table is locked" in text)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, except for a busy database (see DatabaseBusyMiddleware)."""
    import sys

    from django.views.defaults import server_error as django_server_error

    exception = sys.exc_info()[1]
    if exception is not None and is_database_busy(exception):
        busy = DatabaseBusyMiddleware(lambda r: HttpResponse()).process_exception(
            request, exception)
        if busy is not None:
            return busy
    return django_server_error(request)


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store`` on every answer to a signed-in user (pages and API, by
    session or token) and on pages that show a misuse report's details to whoever holds its
    code: they carry personal data, which neither the browser's cache (a shared computer at
    a kelurahan office, the back button after signing out) nor a proxy may keep. Answers
    that set their own Cache-Control keep it."""

    _PERSONAL_PUBLIC = ("/reports/track/", "/api/v1/reports/track/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if (signed_in or request.path_info.startswith(self._PERSONAL_PUBLIC)) and (
                "Cache-Control" not in response):
            from django.utils.cache import add_never_cache_headers

            add_never_cache_headers(response)
            response["Cache-Control"] = "private, no-store, no-cache, must-revalidate, max-age=0"
        return response
