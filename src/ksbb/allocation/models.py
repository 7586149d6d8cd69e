"""Allocation runs (the engine's proposals, reviewed by the assessor) and allocations (what
was approved: so many units from one supply to one need).

A supply is either a received goods pledge or a purchase made with money pledges. What is
left of a supply, or of a need, is its quantity minus the effective quantity of its active
allocations; the services lock those rows before they allocate so that two approvals at
once can never over-allocate.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

_ONE_SUPPLY = Q(pledge__isnull=False, purchase__isnull=True) | Q(
    pledge__isnull=True, purchase__isnull=False
)


class AllocationRun(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        PROPOSED = "proposed", _("proposed, waiting for review")
        APPROVED = "approved", _("approved")
        FAILED = "failed", _("failed")
        DISCARDED = "discarded", _("discarded")

    round = models.ForeignKey("needs.AssessmentRound", verbose_name=_("round"),
                              on_delete=models.PROTECT, related_name="allocation_runs")
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.CharField(_("progress"), max_length=200, blank=True)
    summary = models.JSONField(_("summary"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.round} ({self.state})"


class ProposedLine(models.Model):
    """One line of a run's proposal: editable by the assessor until the run is approved."""

    run = models.ForeignKey(AllocationRun, verbose_name=_("run"), on_delete=models.CASCADE,
                            related_name="lines")
    pledge = models.ForeignKey("donations.Pledge", verbose_name=_("pledge"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    purchase = models.ForeignKey("donations.Purchase", verbose_name=_("purchase"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey("needs.Need", verbose_name=_("need"), on_delete=models.PROTECT,
                             related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    proposed_quantity = models.PositiveIntegerField(_("proposed quantity"))
    locality = models.CharField(_("locality"), max_length=10)
    cost = models.PositiveSmallIntegerField(_("locality cost per unit"))
    # Why the engine proposed it: need, coverage after allocation, fair level, locality.
    reason = models.JSONField(_("reason"), default=dict)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("edited by"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = _("proposed line")
        verbose_name_plural = _("proposed lines")
        ordering = ["run", "need__recipient__area_id", "need_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUPPLY, name="proposedline_one_supply"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} -> need #{self.need_id}"


class Allocation(models.Model):
    """Approved: ``quantity`` units from one supply to one need.

    ``returned_quantity`` is what came back to the supply (a cancelled or failed delivery,
    a shortfall at handover); only ``quantity - returned_quantity`` counts as used.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        CANCELLED = "cancelled", _("cancelled")

    pledge = models.ForeignKey("donations.Pledge", verbose_name=_("pledge"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="allocations")
    purchase = models.ForeignKey("donations.Purchase", verbose_name=_("purchase"), null=True,
                                 blank=True, on_delete=models.PROTECT,
                                 related_name="allocations")
    need = models.ForeignKey("needs.Need", verbose_name=_("need"), on_delete=models.PROTECT,
                             related_name="allocations")
    # Copied from the need, so that deliveries and statistics group without joins.
    recipient = models.ForeignKey("needs.Recipient", verbose_name=_("recipient"),
                                  on_delete=models.PROTECT, related_name="allocations")
    item = models.ForeignKey("donations.Item", verbose_name=_("aid item"),
                             on_delete=models.PROTECT, related_name="allocations")
    quantity = models.PositiveIntegerField(_("quantity"))
    returned_quantity = models.PositiveIntegerField(_("returned quantity"), default=0)
    locality = models.CharField(_("locality"), max_length=10, blank=True)
    run = models.ForeignKey(AllocationRun, verbose_name=_("run"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="allocations",
                            help_text=_("empty for a manual allocation"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.ACTIVE, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("approved"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUPPLY, name="allocation_one_supply"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, returned_quantity__lte=F("quantity")),
                name="allocation_quantities_valid",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "state"])]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item_id} -> {self.recipient_id}"


class AllocationRunPart(models.Model):
    """One independent part of a big run (an item, or an item under one restriction area),
    solved by whichever task worker takes it; the run is proposed when every part is done.
    The part's input and result live in the file storage, shared by every node."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    run = models.ForeignKey(AllocationRun, verbose_name=_("run"), on_delete=models.CASCADE,
                            related_name="parts")
    index = models.PositiveIntegerField(_("part"))
    item = models.CharField(_("aid item"), max_length=64)
    area = models.CharField(_("area"), max_length=40, blank=True)
    needs = models.PositiveIntegerField(_("needs"))
    pledges = models.PositiveIntegerField(_("supplies"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.QUEUED)
    worker = models.CharField(_("solved by"), max_length=120, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run part")
        verbose_name_plural = _("allocation run parts")
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"],
                                               name="allocation_run_part_unique")]

    def __str__(self) -> str:
        return f"#{self.run_id}.{self.index} {self.item} {self.area or '*'} ({self.state})"
