"""Misuse reports (pengaduan): anyone reports a problem with aid, officers triage,
investigate and resolve it; the reporter follows it by an unguessable tracking code."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ksbb.accounts.models import Organization
from ksbb.areas.models import Area


class Category(models.TextChoices):
    NOT_RECEIVED = "not_received", _("aid not received")
    # A household on an RW's list that got nothing (from the citizen's check, issue 16).
    REGISTERED_NOTHING = "registered_nothing", _("registered but received nothing")
    SHORT_QUANTITY = "short_quantity", _("short quantity")
    WRONG_RECIPIENT = "wrong_recipient", _("wrong recipient")
    AID_SOLD = "aid_sold", _("aid sold")
    ILLEGAL_LEVY = "illegal_levy", _("illegal levy")
    SPOILED_GOODS = "spoiled_goods", _("spoiled goods")
    OTHER = "other", _("other")


class MisuseReport(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        TRIAGED = "triaged", _("triaged")
        UNDER_INVESTIGATION = "under_investigation", _("under investigation")
        RESOLVED = "resolved", _("resolved")

    class Outcome(models.TextChoices):
        FOUNDED = "founded", _("founded")
        UNFOUNDED = "unfounded", _("unfounded")

    class Priority(models.TextChoices):
        HIGH = "high", _("high")
        NORMAL = "normal", _("normal")
        LOW = "low", _("low")

    code = models.CharField(_("tracking code"), max_length=20, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    # Free text for now: the handover report (BAST) model does not exist yet. When the
    # distribution app lands, this becomes (or gains) a foreign key to the BAST.
    bast_number = models.CharField(_("BAST number"), max_length=60, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    # Set when the report comes from a household's check: the round of the RW's BAST.
    round = models.ForeignKey("needs.AssessmentRound", verbose_name=_("round"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    # Set only when the collaborator who owns the pledge reports from its trail.
    pledge = models.ForeignKey("donations.Pledge", verbose_name=_("pledge"), null=True,
                               blank=True, on_delete=models.PROTECT,
                               related_name="misuse_reports")
    # May hold personal data: never shown on the public tracking page.
    description = models.TextField(_("description"))
    # Personal data: never public, masked in officer listings.
    reporter_name = models.CharField(_("reporter name"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("reporter e-mail"), blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=40, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    state = models.CharField(_("state"), max_length=24, choices=State.choices,
                             default=State.RECEIVED, db_index=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices,
                                default=Priority.NORMAL)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="assigned_misuse_reports")
    due_date = models.DateField(_("due date"))
    investigation_notes = models.TextField(_("investigation notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices,
                               blank=True)
    public_outcome = models.TextField(_("public outcome"), blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    investigation_started_at = models.DateTimeField(_("investigation started"), null=True,
                                                    blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("misuse report")
        verbose_name_plural = _("misuse reports")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="resolved", outcome__in=["founded", "unfounded"])
                | (~Q(state="resolved") & Q(outcome="")),
                name="misusereport_outcome_iff_resolved",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_date"])]

    def __str__(self) -> str:
        return self.code


class ReportPhoto(models.Model):
    """A photo re-encoded by the server and stored under a random name (never the
    client's), under MEDIA_ROOT/reports/. Served to officers only."""

    report = models.ForeignKey(MisuseReport, verbose_name=_("misuse report"),
                               on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to="reports/")
    content_type = models.CharField(_("content type"), max_length=20)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.report.code} #{self.pk}"
