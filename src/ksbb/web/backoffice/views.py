from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from ksbb.accounts.models import Organization, User
from ksbb.accounts.selectors import audit_entries_visible_to, organization_counts_for
from ksbb.web.permissions import PermissionRequiredMixin


class HomeView(PermissionRequiredMixin, TemplateView):
    permission_required = "web.access_backoffice"
    template_name = "backoffice/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # Counted and listed within the reader's regions (issue 18).
        by_kind = organization_counts_for(user)
        context["organization_counts"] = [
            (label, by_kind.get(value, 0)) for value, label in Organization.Kind.choices
        ]
        context["user_count"] = User.objects.filter(is_active=True).count()
        context["recent_audit"] = (audit_entries_visible_to(user).select_related("actor")
                                   .order_by("-seq")[:20])
        return context
