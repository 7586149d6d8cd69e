from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ksbb.accounts.mfa import mfa_reset
from ksbb.accounts.models import Membership, Organization, User
from ksbb.accounts.services import (
    membership_grant,
    membership_revoke,
    membership_villages_check,
    user_deactivate,
)
from ksbb.core.admin import AuditedAdmin, ReadOnlyAdmin
from ksbb.core.audit import audit_log

# Fields whose change grants or withdraws power: audited with their values.
_PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "is_active", "groups", "user_permissions")


class MembershipAdminForm(forms.ModelForm[Membership]):
    """Shows the service's refusal of villages outside the organisation's region on the
    villages field, before anything is saved."""

    class Meta:
        model = Membership
        fields = ["role", "organization", "villages", "recipient_id", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and data.get("villages"):
            try:
                membership_villages_check(organization=data.get("organization"),
                                          villages=list(data["villages"]))
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class MembershipInline(admin.TabularInline[Membership, User]):
    """Roles are granted here through ``membership_grant`` (its checks and the
    ``membership.granted`` audit entry) and withdrawn through ``membership_revoke``; an
    existing membership is not edited in place (revoke it and grant another)."""

    model = Membership
    form = MembershipAdminForm
    extra = 0
    raw_id_fields = ("organization",)
    filter_horizontal = ("villages",)
    fk_name = "user"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Existing rows show read-only; new rows can still be added (see save_formset).
        return False


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("KSBB"), {"fields": ("full_name",)}))
    list_display = ("username", "full_name", "email", "is_active", "is_superuser")
    inlines = [MembershipInline]
    actions = ["deactivate_users", "reset_two_factor"]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Unticking "active" goes through the service, which also ends sessions and tokens.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            user_deactivate(user=obj, by=request.user)
            obj.is_active = False
        changed = [f for f in _PRIVILEGE_FIELDS if f in getattr(form, "changed_data", [])
                   and f != "is_active"]
        if changed:
            audit_log(actor=request.user, action="user.privileges_changed", obj=obj, after={
                f: (sorted(str(v) for v in form.cleaned_data[f])
                    if f in ("groups", "user_permissions") else form.cleaned_data[f])
                for f in changed})

    def save_formset(self, request: HttpRequest, form: Any, formset: Any,
                     change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        for row in formset.deleted_forms:
            if row.instance.pk is not None:  # withdrawn (kept, inactive), never deleted
                membership_revoke(membership=row.instance, by=request.user)
        for row in formset.forms:
            if (not row.has_changed() or row in formset.deleted_forms
                    or row.instance.pk is not None):
                continue
            data = row.cleaned_data
            try:
                membership_grant(user=form.instance, role=data["role"], by=request.user,
                                 organization=data.get("organization"),
                                 villages=data.get("villages") or (),
                                 recipient=data.get("recipient_id"))
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)

    @admin.action(description=_("Deactivate and sign out everywhere"))
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset)
        for user in users:
            user_deactivate(user=user, by=request.user)
        self.message_user(request, _(
            "Accounts deactivated, their sessions and API tokens ended: %(count)d."
        ) % {"count": len(users)}, messages.SUCCESS)

    @admin.action(description=_("Reset two-factor sign-in (lost phone)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset)
        for user in users:
            mfa_reset(user=user, by=request.user)
        self.message_user(request, _(
            "Two-factor sign-in reset (set up again at the next sign-in): %(count)d accounts."
        ) % {"count": len(users)}, messages.SUCCESS)


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin, admin.ModelAdmin[Organization]):
    """Organisations are created by registration and the back office (audited)."""

    list_display = ("name", "kind", "area", "is_active", "is_demo")
    list_filter = ("kind", "is_active", "is_demo")
    search_fields = ("name",)
    raw_id_fields = ("area",)
