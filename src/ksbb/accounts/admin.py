from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ksbb.accounts.mfa import mfa_reset
from ksbb.accounts.models import Membership, Organization, User
from ksbb.accounts.services import user_deactivate


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    raw_id_fields = ("organization", "recipient")
    filter_horizontal = ("villages",)
    fk_name = "user"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ("name", "kind", "area", "is_active", "is_demo")
    list_filter = ("kind", "is_active", "is_demo")
    search_fields = ("name",)
    raw_id_fields = ("area",)
