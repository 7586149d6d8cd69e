"""The field audience: executors, kelurahan officers and recipient representatives, on
phones. Pages stay light: one table, no heavy scripts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from ksbb.accounts.selectors import scope_of
from ksbb.areas.models import Area
from ksbb.needs.models import Recipient
from ksbb.web.permissions import PermissionRequiredMixin


class HomeView(PermissionRequiredMixin, TemplateView):
    permission_required = "web.access_field"
    template_name = "field/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        scope = scope_of(self.request.user)
        context["villages"] = Area.objects.filter(code__in=scope.village_codes).select_related(
            "parent") if scope.village_codes else Area.objects.none()
        return context


class VillageView(PermissionRequiredMixin, DetailView[Area]):
    permission_required = "areas.view_village_workspace"
    template_name = "field/village.html"
    context_object_name = "village"

    def get_object(self, queryset: QuerySet[Area] | None = None) -> Area:
        return get_object_or_404(
            Area.objects.select_related("parent__parent"), code=self.kwargs["code"],
            level=Area.Level.VILLAGE,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rws"] = self.object.children.order_by("code")
        context["recipients"] = Recipient.objects.filter(
            area__code__startswith=self.object.code).exclude(kind=Recipient.Kind.RW)
        return context


class RecipientListView(PermissionRequiredMixin, ListView[Recipient]):
    permission_required = "web.access_recipients"
    template_name = "field/recipients.html"
    context_object_name = "recipients"

    def get_queryset(self) -> QuerySet[Recipient]:
        return Recipient.objects.filter(pk__in=scope_of(self.request.user).recipient_ids)


class RecipientView(PermissionRequiredMixin, DetailView[Recipient]):
    permission_required = "needs.view_recipient"
    template_name = "field/recipient.html"
    context_object_name = "recipient"
    queryset = Recipient.objects.select_related("area__parent")


