"""How a page shows a service's refusal (a ``ValidationError``, or one of the refusals of
``ksbb.core``, which are ValidationErrors keyed by field). ``NotAllowed`` is not shown: it
goes on to Django, which answers 403, as the API does."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ksbb.core.domain import NotAllowed


def add_form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Each message on the field it names when the form has that field, on top of the form
    otherwise (a service may name a field the page does not show)."""
    if isinstance(exc, NotAllowed):
        raise exc
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, msgs in errors.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


def add_error_messages(request: HttpRequest, exc: ValidationError) -> None:
    """Each message as an error on the next page (an action that redirects)."""
    if isinstance(exc, NotAllowed):
        raise exc
    for msg in exc.messages:
        messages.error(request, msg)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 403 page (handler403): in the visitor's language, inside the site's layout,
    with what the service said when a refusal carries a message."""
    reasons = exception.messages if isinstance(exception, ValidationError) else []
    return render(request, "ksbb/forbidden.html", {"reasons": reasons}, status=403)
