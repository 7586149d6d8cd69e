from __future__ import annotations

from django.contrib import admin

from ksbb.core.admin import AuditedAdmin
from ksbb.regions.models import Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin, admin.ModelAdmin[Region]):
    """Add regions with ``ksbb region add`` (it loads the areas and creates the government
    organisation); here the name and the organisations that work in a region can change.
    Its programmes: "Programmes of the regions" (donations)."""

    list_display = ("code", "name", "slug", "is_default", "created_at")
    search_fields = ("code", "name", "slug")
    readonly_fields = ("code", "is_default", "created_at")
    filter_horizontal = ("organizations",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
