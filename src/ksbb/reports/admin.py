from django.contrib import admin

from ksbb.reports.models import MisuseReport, ReportPhoto


class ReportPhotoInline(admin.TabularInline):
    model = ReportPhoto
    extra = 0
    readonly_fields = ["file", "content_type", "size", "created_at"]
    can_delete = False


@admin.register(MisuseReport)
class MisuseReportAdmin(admin.ModelAdmin):
    """Read-only: states change through the services (audited), in the back office."""

    list_display = ["code", "category", "area", "state", "priority", "assigned_to",
                    "due_date", "received_at"]
    list_filter = ["state", "category", "priority"]
    search_fields = ["code"]
    inlines = [ReportPhotoInline]
    # The reporter's contact is for the assigned officer, in the back office (audited).
    exclude = ["reporter_name", "reporter_email", "reporter_phone"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        # A citizen's report is never deleted: its tracking code must keep answering, and
        # the personal data in it is erased by `ksbb purge_personal_data`, audited.
        return False
