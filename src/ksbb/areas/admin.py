from django.contrib import admin

from ksbb.areas.models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin[Area]):
    list_display = ("code", "name", "level", "households", "population", "poor_households",
                    "is_demo")
    list_filter = ("level", "is_demo")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
