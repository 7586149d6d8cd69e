from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.views.generic import DetailView, ListView

from ksbb.accounts.models import Organization
from ksbb.accounts.selectors import organizations_visible_to
from ksbb.web.permissions import PermissionRequiredMixin


class OrganizationListView(PermissionRequiredMixin, ListView[Organization]):
    permission_required = "web.access_organizations"
    template_name = "orgs/list.html"
    context_object_name = "organizations"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Organization]:
        return organizations_visible_to(self.request.user).select_related("area")


class OrganizationDetailView(PermissionRequiredMixin, DetailView[Organization]):
    permission_required = "accounts.view_organization"
    template_name = "orgs/detail.html"
    context_object_name = "organization"
    queryset = Organization.objects.select_related("area")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["memberships"] = self.object.memberships.filter(is_active=True).select_related(
            "user").order_by("role", "user__username")
        return context
