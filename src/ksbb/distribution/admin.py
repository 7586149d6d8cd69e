"""Read-only views for the platform administrator: every write goes through the services
(and so through the audit log), never through the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ksbb.distribution.models import Delivery, Handover


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly, admin.ModelAdmin[Delivery]):
    list_display = ["id", "recipient", "executor", "program", "state", "scheduled_for"]
    list_filter = ["state", "program"]
    search_fields = ["recipient__name", "executor__name"]


@admin.register(Handover)
class HandoverAdmin(_ReadOnly, admin.ModelAdmin[Handover]):
    list_display = ["number", "delivery", "state", "date", "signed_at"]
    list_filter = ["state", "program"]
    search_fields = ["number", "code"]
