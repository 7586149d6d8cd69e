"""What a person is told: one inbox row per person and event, and its e-mail's fate.

A notification stores its kind and the values its text needs (``params``), not the text:
the inbox shows it in the reader's language of the moment, the e-mail in the recipient's
chosen language (:class:`NotificationSettings`). Rows are written by
``ksbb.notifications.services.notify`` only, inside the transaction of the event they tell
about, so a rolled-back event leaves neither a row nor an e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Each kind names whom it is for; a person can turn its e-mail off."""

    PLEDGE_NEW = "pledge_new", _("A new pledge for your organisation")
    PLEDGE_RECEIVED = "pledge_received", _("Your pledge was received")
    PLEDGE_ALLOCATED = "pledge_allocated", _("Your donation was allocated to recipients")
    PLEDGE_DELIVERED = "pledge_delivered", _("Your donation was delivered")
    PLEDGE_SIGNED = "pledge_signed", _("The handover report (BAST) of your donation was signed")
    DELIVERY_ASSIGNED = "delivery_assigned", _("A delivery assigned to your organisation")
    DELIVERY_DISPATCHED = "delivery_dispatched", _("Aid on its way to your area")
    HANDOVER_WAITING = "handover_waiting", _("A handover report (BAST) waiting for your "
                                             "confirmation")
    REPORT_ASSIGNED = "report_assigned", _("A misuse report assigned to you")
    REPORT_DUE = "report_due", _("A misuse report assigned to you is due")


class Notification(models.Model):
    class EmailState(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent (turned off or no address)")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                                  on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    params = models.JSONField(_("values of the text"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_state = models.CharField(_("e-mail"), max_length=8, choices=EmailState.choices,
                                   default=EmailState.PENDING, db_index=True)
    email_attempts = models.PositiveSmallIntegerField(_("sending attempts"), default=0)
    email_last_error = models.TextField(_("last sending error"), blank=True)
    email_sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationSettings(models.Model):
    """A person's choices: the language of their e-mails and the kinds they get no e-mail
    for (the inbox still shows those)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                                on_delete=models.CASCADE,
                                related_name="notification_settings")
    language = models.CharField(_("language of e-mails"), max_length=8,
                                choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    email_off = models.JSONField(_("no e-mail for"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)

    def wants_email(self, kind: str) -> bool:
        return kind not in (self.email_off or [])
