from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.views.generic import TemplateView

from ksbb.accounts.models import Organization, User
from ksbb.core.models import AuditEntry
from ksbb.web.permissions import PermissionRequiredMixin


class HomeView(PermissionRequiredMixin, TemplateView):
    permission_required = "web.access_backoffice"
    template_name = "backoffice/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        by_kind = dict(Organization.objects.values_list("kind").annotate(n=Count("id")))
        context["organization_counts"] = [
            (label, by_kind.get(value, 0)) for value, label in Organization.Kind.choices
        ]
        context["user_count"] = User.objects.filter(is_active=True).count()
        context["recent_audit"] = AuditEntry.objects.select_related("actor").order_by("-seq")[:20]
        return context
