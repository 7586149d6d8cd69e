from django.contrib import admin

from ksbb.needs.models import Recipient


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin[Recipient]):
    list_display = ("name", "kind", "area", "residents", "is_verified")
    list_filter = ("kind", "is_verified")
    search_fields = ("name", "area__code", "area__name")
    raw_id_fields = ("area",)
