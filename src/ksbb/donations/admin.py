from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ksbb.core.admin import AuditedAdmin
from ksbb.core.admin import ReadOnlyAdmin as _ReadOnly
from ksbb.core.privacy import mask_email
from ksbb.donations.models import (
    AggregatorProfile,
    CollaboratorProfile,
    Item,
    Pledge,
    Program,
    Purchase,
    PurchaseFunding,
    RegionProgram,
)
from ksbb.donations.services import aggregator_verify, item_retire
from ksbb.stats import rollups


class ItemInline(admin.TabularInline[Item, Program]):
    model = Item
    extra = 0
    can_delete = False


@admin.register(Program)
class ProgramAdmin(AuditedAdmin, admin.ModelAdmin[Program]):
    list_display = ("code", "name", "region", "is_active")
    list_filter = ("is_active", "region")
    inlines = [ItemInline]


@admin.register(RegionProgram)
class RegionProgramAdmin(AuditedAdmin, admin.ModelAdmin[RegionProgram]):
    """The programmes each region runs, under its own names (a region's administrator uses
    the services: ksbb.donations.services.region_program_adopt and _rename)."""

    list_display = ("region", "program", "local_name", "is_active", "created_at")
    list_filter = ("region", "is_active", "program")
    search_fields = ("local_name", "program__name", "region__name")
    readonly_fields = ("created_at",)

    def save_model(self, request: HttpRequest, obj: RegionProgram, form: Any,
                   change: bool) -> None:
        super().save_model(request, obj, form, change)
        rollups.bump()  # the public pages name programmes as the region does

    def delete_model(self, request: HttpRequest, obj: RegionProgram) -> None:
        super().delete_model(request, obj)
        rollups.bump()


@admin.register(Item)
class ItemAdmin(AuditedAdmin, admin.ModelAdmin[Item]):
    list_display = ("code", "name", "program", "unit", "value_rupiah", "is_active")
    list_filter = ("program", "unit", "is_active")
    search_fields = ("code", "name")
    actions = ["retire"]

    def has_delete_permission(self, request: HttpRequest, obj: Item | None = None) -> bool:
        # Items that were pledged or bought stay for the record; retire them instead.
        if obj is not None and (obj.pledges.exists() or obj.purchases.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> Any:
        item = self.get_object(request, object_id)
        if item is not None and not self.has_delete_permission(request, item):
            self.message_user(request, _("This item is used by pledges or purchases: it cannot "
                                         "be deleted, only retired."), messages.INFO)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Retire selected items"))
    def retire(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        for item in queryset:
            item_retire(item=item, by=request.user)


@admin.register(CollaboratorProfile)
class CollaboratorProfileAdmin(_ReadOnly, admin.ModelAdmin[CollaboratorProfile]):
    # Personal data (UU PDP, docs/privacy.md): masked in the list, no search by e-mail (the
    # search box is a GET form: the address would land in URLs and logs), NIK never shown.
    list_display = ("organization", "collaborator_kind", "masked_email", "email_verified_at")
    list_filter = ("collaborator_kind",)
    search_fields = ("organization__name",)
    raw_id_fields = ("organization",)
    exclude = ("nik",)
    readonly_fields = ("nik_masked",)

    @admin.display(description=_("contact e-mail"))
    def masked_email(self, obj: CollaboratorProfile) -> str:
        return mask_email(obj.contact_email)


@admin.register(AggregatorProfile)
class AggregatorProfileAdmin(_ReadOnly, admin.ModelAdmin[AggregatorProfile]):
    """Read-only: verification is the action below (the service, audited)."""


    list_display = ("organization", "licence_number", "licence_valid_until", "verified_at")
    search_fields = ("organization__name", "licence_number")
    raw_id_fields = ("organization",)
    readonly_fields = ("verified_at", "verified_by")
    actions = ["verify"]

    @admin.action(description=_("Verify selected aggregators"))
    def verify(self, request: HttpRequest, queryset: QuerySet[AggregatorProfile]) -> None:
        for profile in queryset.select_related("organization"):
            try:
                aggregator_verify(aggregator=profile.organization, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{profile}: {'; '.join(exc.messages)}",
                                  messages.ERROR)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Pledges and purchases change only through their services (audited)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "collaborator", "aggregator", "kind", "item", "quantity",
                    "amount_rupiah", "state", "created_at")
    list_filter = ("state", "kind", "program")


class FundingInline(admin.TabularInline[PurchaseFunding, Purchase]):
    model = PurchaseFunding
    extra = 0


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyAdmin):
    list_display = ("pk", "aggregator", "item", "quantity", "cost_rupiah", "purchased_at")
    inlines = [FundingInline]
