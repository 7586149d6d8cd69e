"""A person's own notifications: the inbox, marking read, and which e-mails they get.
Everything here is the signed-in person's own; another's notification is a 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from ksbb.notifications import services
from ksbb.notifications.models import Notification
from ksbb.notifications.selectors import notifications_of, unread_count
from ksbb.notifications.texts import render as render_text
from ksbb.web.errors import add_form_errors
from ksbb.web.notifications.forms import PreferencesForm
from ksbb.web.redirects import redirect_next


class Row:
    """A notification as the inbox shows it: its text in the reader's language."""

    def __init__(self, n: Notification) -> None:
        text = render_text(n.kind, n.params)
        self.n, self.pk, self.subject, self.body = n, n.pk, text.subject, text.body
        self.created_at, self.is_read = n.created_at, n.is_read


def _own(request: HttpRequest, pk: int) -> Notification:
    return get_object_or_404(notifications_of(request.user), pk=pk)


class InboxView(LoginRequiredMixin, ListView[Notification]):
    template_name = "notifications/inbox.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Notification]:
        qs = notifications_of(self.request.user)
        if self.request.GET.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rows"] = [Row(n) for n in context["object_list"]]
        context["unread"] = unread_count(self.request.user)
        context["only_unread"] = bool(self.request.GET.get("unread"))
        return context


class OpenView(LoginRequiredMixin, View):
    """Follow a notification's link from the inbox: marked read, then on to the page, on
    this site whatever address the link was written with."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        n = _own(request, pk)
        services.notification_mark_read(notification=n, by=request.user)
        parts = urlsplit(n.link)
        path = parts.path or "/"
        if not path.startswith("/") or path.startswith("//"):
            raise Http404
        return HttpResponseRedirect(path + (f"?{parts.query}" if parts.query else ""))


class MarkReadView(LoginRequiredMixin, View):
    """POST; from htmx the row comes back, otherwise the inbox (or ``next``)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        n = _own(request, pk)
        services.notification_mark_read(notification=n, by=request.user)
        if request.headers.get("HX-Request"):
            # The row, and the header's bell with its new count (out of band).
            return render(request, "notifications/_row.html", {"row": Row(n), "oob": True})
        return redirect_next(request, "notifications:inbox")


class MarkAllReadView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        n = services.notifications_mark_all_read(by=request.user)
        if n:
            messages.success(request, _("All notifications are marked as read."))
        return redirect_next(request, "notifications:inbox")


class PreferencesView(LoginRequiredMixin, View):
    template_name = "notifications/preferences.html"

    def _form(self, request: HttpRequest, data: Any = None) -> PreferencesForm:
        chosen = services.settings_of(request.user)  # type: ignore[arg-type]
        language = chosen.language if chosen.pk else getattr(request, "LANGUAGE_CODE",
                                                             chosen.language)
        return PreferencesForm(data, email_off=list(chosen.email_off or []),
                               initial={"language": language})

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                services.settings_update(by=request.user,
                                         language=form.cleaned_data["language"],
                                         email_off=form.email_off())
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Your choices are saved."))
                return redirect("notifications:preferences")
        return render(request, self.template_name, {"form": form}, status=400)
