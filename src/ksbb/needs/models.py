from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ksbb.areas.models import Area
from ksbb.core.models import ImportJob


class Recipient(models.Model):
    """Who receives aid: every RW, and registered institutions."""

    class Kind(models.TextChoices):
        RW = "rw", _("RW")
        ORPHANAGE = "orphanage", _("orphanage (panti asuhan)")
        PESANTREN = "pesantren", _("Islamic boarding school (pesantren)")
        ELDERLY_HOME = "elderly_home", _("elderly home (panti jompo)")
        DISABILITY_FOUNDATION = "disability_foundation", _("disability foundation")
        OTHER = "other", _("other institution")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="recipients")
    residents = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # RWs are recipients by definition; institutions wait for the assessor's check.
    is_verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["area_id", "kind", "name"]
        constraints = [
            # One recipient per RW; institutions may share an area.
            models.UniqueConstraint(fields=["area"], condition=models.Q(kind="rw"),
                                    name="one_recipient_per_rw"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.RW:
            return f"{self.name} ({self.area_id})"
        return self.name


class AssessmentRound(models.Model):
    """One assessment of needs for a programme over a period; closed rounds are frozen."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=200)
    program = models.ForeignKey("donations.Program", verbose_name=_("programme"),
                                on_delete=models.PROTECT, related_name="rounds")
    # None: the default region (see ksbb.regions).
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="rounds")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="round_period_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class Need(models.Model):
    """What one recipient needs of one aid item in a round, with a priority (1 highest)."""

    class Priority(models.IntegerChoices):
        HIGH = 1, _("1 (high)")
        NORMAL = 2, _("2 (normal)")
        LOW = 3, _("3 (low)")

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by hand")
        IMPORT = "import", _("imported")
        DERIVED = "derived", _("derived from welfare data")

    round = models.ForeignKey(AssessmentRound, verbose_name=_("round"),
                              on_delete=models.PROTECT, related_name="needs")
    recipient = models.ForeignKey(Recipient, verbose_name=_("recipient"),
                                  on_delete=models.PROTECT, related_name="needs")
    # Always an item of the round's programme (checked by the services).
    item = models.ForeignKey("donations.Item", verbose_name=_("aid item"),
                             on_delete=models.PROTECT, related_name="needs")
    quantity = models.PositiveIntegerField(_("quantity"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices,
                                                default=Priority.NORMAL)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.MANUAL)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["round_id", "recipient__area_id", "recipient_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "recipient", "item"],
                                    name="need_unique_per_round_recipient_item"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0),
                                   name="need_quantity_positive"),
            models.CheckConstraint(condition=models.Q(priority__in=[1, 2, 3]),
                                   name="need_priority_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.item_id} x{self.quantity}"


class NeedsImport(ImportJob):
    """An uploaded needs file, processed by a background task that reports progress."""

    class Kind(models.TextChoices):
        NEEDS = "needs", _("needs per recipient")
        POVERTY = "poverty", _("poor households per RW")

    round = models.ForeignKey(AssessmentRound, verbose_name=_("round"),
                              on_delete=models.PROTECT, related_name="imports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEEDS)
    file = models.FileField(_("file"), upload_to="needs_imports/%Y/%m/")
    # For poverty imports: the item, packages per poor household and the health-office list.
    item = models.ForeignKey("donations.Item", verbose_name=_("aid item"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    per_poor_household = models.PositiveIntegerField(_("per poor household"), default=1)
    health_file = models.FileField(_("health-office file"), upload_to="needs_imports/%Y/%m/",
                                   blank=True)

    class Meta(ImportJob.Meta):
        verbose_name = _("needs import")
        verbose_name_plural = _("needs imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
