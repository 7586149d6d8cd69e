from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ksbb.core.admin import ReadOnlyAdmin
from ksbb.notifications.models import Notification, NotificationSettings
from ksbb.notifications.services import notifications_retry


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin, admin.ModelAdmin[Notification]):
    """Read-only; failed e-mails are found with the filter and queued again with the
    action (or ``ksbb notifications retry``)."""

    list_display = ["created_at", "recipient", "kind", "email_state", "email_attempts",
                    "email_last_error", "read_at"]
    list_filter = ["email_state", "kind"]
    search_fields = ["recipient__username"]
    date_hierarchy = "created_at"
    actions = ["retry_email"]

    @admin.action(description=_("Send the e-mail again"))
    def retry_email(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        n = notifications_retry(by=request.user, ids=queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext("%(n)d e-mail queued again.",
                                            "%(n)d e-mails queued again.", n) % {"n": n},
                          messages.SUCCESS)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(ReadOnlyAdmin, admin.ModelAdmin[NotificationSettings]):
    list_display = ["user", "language", "email_off"]
    search_fields = ["user__username"]
