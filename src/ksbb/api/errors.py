"""How the API answers a refusal: the one place where a domain service's error becomes an
HTTP response, for every resource.

Views call services directly and let refusals propagate; DRF passes them to
:func:`exception_handler` (``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` in settings):

===================================================  ======================================
raised by the service (see ``ksbb.core.domain``)      answer
===================================================  ======================================
``Invisible``                                          404 ``{"detail": "Not found."}``
``NotAllowed`` (or Django's ``PermissionDenied``)     403 ``{"detail": "<message>"}``
``WrongState``, ``Invalid``, any ``ValidationError``   400 ``{"<field>": ["<message>"], ...}``
                                                      (the whole request:
                                                      ``non_field_errors``)
===================================================  ======================================
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail, NotFound, PermissionDenied, Throttled
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from ksbb.core.domain import Invisible, may


def _as_api_error(exc: Exception) -> Exception:
    """The DRF exception for a domain refusal; other exceptions unchanged."""
    if isinstance(exc, Invisible):
        return NotFound()
    if isinstance(exc, DjangoValidationError):
        messages = exc.messages
        if isinstance(exc, DjangoPermissionDenied):  # NotAllowed: a refusal and a 403
            return PermissionDenied("; ".join(str(m) for m in messages))
        if hasattr(exc, "error_dict"):
            detail: Any = {
                (api_settings.NON_FIELD_ERRORS_KEY if k == NON_FIELD_ERRORS else k): v
                for k, v in exc.message_dict.items()}
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: messages}
        return ApiValidationError(detail)
    if isinstance(exc, DjangoPermissionDenied) and exc.args and exc.args[0]:
        return PermissionDenied(str(exc.args[0]))
    if _number_out_of_range(exc):
        # The last line behind the bounded serializer fields (ksbb.api.fields): a number
        # the database cannot hold is the caller's error, not the server's.
        return ApiValidationError({api_settings.NON_FIELD_ERRORS_KEY: [
            _("a number in the request is too large")]})
    return exc


def _number_out_of_range(exc: BaseException) -> bool:
    from django.db import DataError

    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, DataError) and "out of range" in str(exc).lower()


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, after turning domain refusals into API errors (table above), and with
    its rate-limit message translated whole (its Indonesian catalogue leaves "Expected
    available in N seconds" in English)."""
    exc = _as_api_error(exc)
    if isinstance(exc, Throttled) and str(exc.detail).startswith(
            str(Throttled.default_detail)):
        wait = getattr(exc, "wait", None)
        message = (_("Too many requests; try again in %(seconds)s seconds.")
                   % {"seconds": int(wait) + 1} if wait is not None
                   else _("Too many requests; try again later."))
        exc.detail = ErrorDetail(message, code="throttled")
    return drf_exception_handler(exc, context)


def require_perm(user: Any, perm: str, obj: Any) -> None:
    """The caller's right to act, checked before the request body: whoever may not act
    learns that (403), not what was wrong with the form (400). The role rule, as the
    service will check it (:func:`ksbb.core.domain.may`: no superuser shortcut)."""
    if not may(user, perm, obj):
        raise PermissionDenied
