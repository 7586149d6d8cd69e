"""Turning a domain service's refusal into the API's answer: 403 for a wrong actor, 400
with field names for anything else, so every resource reports errors the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail, PermissionDenied, Throttled
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with its rate-limit message translated whole (its Indonesian
    catalogue leaves "Expected available in N seconds" in English)."""
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
    learns that (403), not what was wrong with the form (400)."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def service_caller(not_allowed: type[Exception]) -> Callable[..., Any]:
    """``call_service(fn, **kwargs)`` for a domain whose wrong-actor refusal is
    ``not_allowed`` (a ValidationError subclass in each domain's services)."""

    def call_service(fn: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except not_allowed as exc:
            messages = exc.messages if isinstance(exc, DjangoValidationError) else [str(exc)]
            raise PermissionDenied("; ".join(messages)) from exc
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                detail = {(api_settings.NON_FIELD_ERRORS_KEY if k == NON_FIELD_ERRORS else k): v
                          for k, v in exc.message_dict.items()}
            else:
                detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
            raise ApiValidationError(detail) from exc

    return call_service
