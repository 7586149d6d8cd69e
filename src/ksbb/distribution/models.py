"""Deliveries of approved allocations to one recipient, and the handover reports (Berita
Acara Serah Terima, BAST) that record what was actually handed over.

A signed BAST never changes: the services refuse it, and ``save()``/``delete()`` refuse it
too as a last line of defence. A correction is a new BAST that supersedes the old one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        DISPATCHED = "dispatched", _("dispatched")
        DELIVERED = "delivered", _("delivered")
        HANDED_OVER = "handed_over", _("handed over")
        VERIFIED = "verified", _("verified")
        CANCELLED = "cancelled", _("cancelled")
        FAILED = "failed", _("failed")

    recipient = models.ForeignKey("needs.Recipient", verbose_name=_("recipient"),
                                  on_delete=models.PROTECT, related_name="deliveries")
    executor = models.ForeignKey("accounts.Organization", verbose_name=_("executor"),
                                 on_delete=models.PROTECT, related_name="deliveries",
                                 limit_choices_to={"kind": "executor"})
    program = models.ForeignKey("donations.Program", verbose_name=_("programme"),
                                on_delete=models.PROTECT, related_name="deliveries")
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.SCHEDULED, db_index=True)
    scheduled_for = models.DateField(_("scheduled for"))
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("scheduled"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cancelled or failed"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-scheduled_for", "-pk"]
        indexes = [models.Index(fields=["executor", "state"]),
                   models.Index(fields=["recipient", "state"])]

    def __str__(self) -> str:
        return f"#{self.pk} -> {self.recipient}"

    @property
    def is_open(self) -> bool:
        return self.state not in (self.State.CANCELLED, self.State.FAILED)


class DeliveryLine(models.Model):
    """One allocation carried by a delivery; ``returned_quantity`` went back to the supply."""

    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"),
                                 on_delete=models.CASCADE, related_name="lines")
    allocation = models.ForeignKey("allocation.Allocation", verbose_name=_("allocation"),
                                   on_delete=models.PROTECT, related_name="delivery_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    returned_quantity = models.PositiveIntegerField(_("returned quantity"), default=0)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["delivery", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0, returned_quantity__lte=models.F("quantity")),
                name="deliveryline_quantities_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of allocation #{self.allocation_id}"


class BastSequence(models.Model):
    """The last BAST number given for one programme in one month (locked to allocate)."""

    program = models.ForeignKey("donations.Program", verbose_name=_("programme"),
                                on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("BAST number sequence")
        verbose_name_plural = _("BAST number sequences")
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "month"],
                                    name="bastsequence_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.year}-{self.month:02d}: {self.last}"


class SignedHandoverError(Exception):
    """A signed BAST (or its lines and photos) was about to be changed."""


class Handover(models.Model):
    """A handover report (BAST)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft, waiting for signatures")
        SIGNED = "signed", _("signed")

    class Party(models.TextChoices):
        GIVER = "giver", _("giver")
        RECEIVER = "receiver", _("receiver")
        WITNESS = "witness", _("witness")

    number = models.CharField(_("number"), max_length=80, unique=True)
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), on_delete=models.PROTECT,
                                 related_name="handovers")
    program = models.ForeignKey("donations.Program", verbose_name=_("programme"),
                                on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=8, choices=State.choices,
                             default=State.DRAFT, db_index=True)
    date = models.DateField(_("date"))
    area = models.ForeignKey("areas.Area", verbose_name=_("place (area)"),
                             on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6,
                                    null=True, blank=True)
    supersedes = models.OneToOneField("self", verbose_name=_("supersedes"), null=True,
                                      blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("giver"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    giver_name = models.CharField(_("giver's name"), max_length=200, blank=True)
    giver_confirmed_at = models.DateTimeField(_("giver confirmed"), null=True, blank=True)
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("receiver"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    receiver_name = models.CharField(_("receiver's name"), max_length=200, blank=True)
    receiver_confirmed_at = models.DateTimeField(_("receiver confirmed"), null=True,
                                                 blank=True)
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("witness"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    witness_name = models.CharField(_("witness's name"), max_length=200, blank=True)
    witness_confirmed_at = models.DateTimeField(_("witness confirmed"), null=True, blank=True)
    paper_scan = models.FileField(_("signed paper BAST"), upload_to="handovers/paper/%Y/%m/",
                                  blank=True)
    paper_uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL,
                                          verbose_name=_("paper uploaded by"), null=True,
                                          blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    paper_uploaded_at = models.DateTimeField(_("paper uploaded"), null=True, blank=True)
    paper_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL,
                                          verbose_name=_("paper accepted by"), null=True,
                                          blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    paper_accepted_at = models.DateTimeField(_("paper accepted"), null=True, blank=True)
    content = models.JSONField(_("signed content"), null=True, blank=True)
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("handover report (BAST)")
        verbose_name_plural = _("handover reports (BAST)")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Last line of defence; the services refuse first, with a translated message.
        if self._stored_state() == self.State.SIGNED:
            raise SignedHandoverError(f"BAST {self.number} is signed and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_state() == self.State.SIGNED:
            raise SignedHandoverError(f"BAST {self.number} is signed and cannot be deleted")
        return super().delete(*args, **kwargs)

    def _stored_state(self) -> str | None:
        if self.pk is None:
            return None
        return Handover.objects.filter(pk=self.pk).values_list("state", flat=True).first()

    @property
    def is_signed(self) -> bool:
        return self.state == self.State.SIGNED

    @property
    def is_superseded(self) -> bool:
        """True once a signed correction replaces it."""
        return Handover.objects.filter(supersedes=self, state=self.State.SIGNED).exists()


def _guard_parent(handover_id: int | None) -> None:
    if handover_id is not None and Handover.objects.filter(
            pk=handover_id, state=Handover.State.SIGNED).exists():
        raise SignedHandoverError("the BAST is signed and cannot be changed")


class HandoverLine(models.Model):
    handover = models.ForeignKey(Handover, verbose_name=_("BAST"), on_delete=models.PROTECT,
                                 related_name="lines")
    delivery_line = models.ForeignKey(DeliveryLine, verbose_name=_("delivery line"),
                                      on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("donations.Item", verbose_name=_("aid item"),
                             on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity handed over"))

    class Meta:
        verbose_name = _("BAST line")
        verbose_name_plural = _("BAST lines")
        ordering = ["handover", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "delivery_line"],
                                    name="handoverline_one_per_delivery_line"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _guard_parent(self.handover_id)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _guard_parent(self.handover_id)
        return super().delete(*args, **kwargs)


class HandoverPhoto(models.Model):
    """Evidence: an image checked by content, stored under a server-generated name."""

    handover = models.ForeignKey(Handover, verbose_name=_("BAST"), on_delete=models.PROTECT,
                                 related_name="photos")
    file = models.FileField(_("photo"), upload_to="handovers/photos/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=40)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("BAST photo")
        verbose_name_plural = _("BAST photos")
        ordering = ["handover", "pk"]

    def __str__(self) -> str:
        return self.file.name or ""

    def save(self, *args: Any, **kwargs: Any) -> None:
        _guard_parent(self.handover_id)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _guard_parent(self.handover_id)
        return super().delete(*args, **kwargs)
