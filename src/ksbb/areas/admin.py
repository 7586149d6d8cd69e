from django.contrib import admin

from ksbb.areas.models import Area
from ksbb.core.admin import ReadOnlyAdmin


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin, admin.ModelAdmin[Area]):
    """Areas change through `ksbb load_areas` / `ksbb load_rws` (audited)."""

    list_display = ("code", "name", "level", "households", "population", "poor_households",
                    "is_demo")
    list_filter = ("level", "is_demo")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
