from django.contrib import admin

from ksbb.core.admin import ReadOnlyAdmin
from ksbb.needs.models import AssessmentRound, Need, NeedsImport, Recipient


@admin.register(Recipient)
class RecipientAdmin(ReadOnlyAdmin, admin.ModelAdmin[Recipient]):
    """Needs, rounds and recipients change in the back office, through the services."""

    list_display = ("name", "kind", "area", "residents", "is_verified")
    list_filter = ("kind", "is_verified")
    search_fields = ("name", "area__code", "area__name")
    raw_id_fields = ("area",)


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(ReadOnlyAdmin, admin.ModelAdmin[AssessmentRound]):
    list_display = ("name", "program", "period_start", "period_end", "state")
    list_filter = ("state", "program")
    readonly_fields = ("created_by", "created_at")


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin, admin.ModelAdmin[Need]):
    list_display = ("round", "recipient", "item", "quantity", "priority", "source")
    list_filter = ("round", "priority", "source")
    search_fields = ("item__code", "recipient__name", "recipient__area__code")
    raw_id_fields = ("recipient",)


@admin.register(NeedsImport)
class NeedsImportAdmin(ReadOnlyAdmin, admin.ModelAdmin[NeedsImport]):
    list_display = ("pk", "round", "kind", "state", "progress_done", "progress_total",
                    "created_by", "created_at")
    list_filter = ("state", "kind")
    readonly_fields = ("report", "progress_done", "progress_total", "finished_at")
