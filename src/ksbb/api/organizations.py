from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from ksbb.accounts.models import Organization
from ksbb.accounts.selectors import organizations_visible_to
from ksbb.api.permissions import RulePermission


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["id", "kind", "name", "area", "is_active", "created_at"]


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet[Organization]):
    """Organisations the caller may see: their own; all of them for the government."""

    serializer_class = OrganizationSerializer
    permission_classes = [IsAuthenticated, RulePermission]
    object_permission = "accounts.view_organization"
    filterset_fields = ["kind"]

    def get_queryset(self) -> QuerySet[Organization]:
        return organizations_visible_to(self.request.user).order_by("name")
