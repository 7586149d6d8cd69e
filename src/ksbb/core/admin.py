from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ksbb.core.audit import audit_log
from ksbb.core.audit_labels import action_label, object_label
from ksbb.core.models import AuditEntry


class ReadOnlyAdmin:
    """Records that change only through their domain services (checks, audit): the admin
    shows them and runs the actions that call those services, nothing else. Mixed in
    before ``admin.ModelAdmin``."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin:
    """Catalogue records the admin may still edit (programmes, aid items, accounts): every
    add, change and deletion made there is written to the audit log too, beside Django's
    own admin history (which anyone with database access can rewrite)."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _audit(request, obj, "admin.added")
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _audit(request, obj, "admin.changed", message)
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            _audit(request, obj, "admin.deleted")
        return super().log_deletions(request, queryset)  # type: ignore[misc]


def _audit(request: HttpRequest, obj: Any, action: str, message: Any = None) -> None:
    changed: list[str] = []
    for part in message or []:
        if isinstance(part, dict) and "changed" in part:
            changed += [str(f) for f in part["changed"].get("fields", [])]
    audit_log(actor=request.user, action=action, obj=obj,
              after={"model": obj._meta.label, "fields": changed} if changed
              else {"model": obj._meta.label})


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    # The label and the object's name first (issue 15); the raw codes stay for filtering.
    list_display = ("seq", "at", "actor_label", "what", "about", "action")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label", "action")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    @admin.display(description=_("Action"))
    def what(self, entry: AuditEntry) -> str:
        return action_label(entry.action)

    @admin.display(description=_("Object"))
    def about(self, entry: AuditEntry) -> str:
        return object_label(object_type=entry.object_type, object_id=entry.object_id,
                            object_repr=entry.object_repr)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
