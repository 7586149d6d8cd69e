"""Household lists per RW, what each household received, and the imports that fill them.

Personal data by design (UU PDP 27/2022): the NIK and the family card number (KK) are kept
only as keyed hashes (HMAC-SHA256 with a key outside the database, see identity.py) and a
masked form for display. Names and RTs are shown only to the ketua RW, the kelurahan
officer of the village and the assessor (rules.py); the audit log holds ids and counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ksbb.core.models import ImportJob


class Household(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("lives here")
        MOVED = "moved", _("moved away")
        DECEASED = "deceased", _("deceased (single-person household)")

    class Source(models.TextChoices):
        IMPORT = "import", _("imported list")
        MANUAL = "manual", _("added by the ketua RW")

    rw = models.ForeignKey("areas.Area", verbose_name=_("RW"), on_delete=models.PROTECT,
                           related_name="+", limit_choices_to={"level": 5})
    rt = models.PositiveSmallIntegerField(_("RT"))
    kk_hash = models.CharField(_("family card number (keyed hash)"), max_length=64)
    nik_hash = models.CharField(_("NIK of the head (keyed hash)"), max_length=64)
    kk_masked = models.CharField(_("family card number"), max_length=16)
    nik_masked = models.CharField(_("NIK of the head"), max_length=16)
    head_name = models.CharField(_("head of household"), max_length=200)
    members = models.PositiveSmallIntegerField(_("members"))
    # DTSEN welfare decile, 1 (poorest) to 10; blank when the source has none.
    decile = models.PositiveSmallIntegerField(_("welfare decile"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.IMPORT)
    # Checks the assessor resolves; a flagged household stays on the list meanwhile.
    duplicate_kk = models.BooleanField(_("same KK elsewhere"), default=False)
    duplicate_nik = models.BooleanField(_("same NIK elsewhere"), default=False)
    wrong_rw = models.BooleanField(_("KK issued in another district"), default=False)
    flags_resolved_at = models.DateTimeField(_("checks resolved"), null=True, blank=True)
    flags_resolution = models.CharField(_("resolution"), max_length=300, blank=True)
    household_import = models.ForeignKey("HouseholdImport", verbose_name=_("import"),
                                         null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["rw_id", "rt", "head_name", "pk"]
        indexes = [
            # Per-RW counts (listed, public figures) read the index alone.
            models.Index(fields=["rw", "status"], name="household_rw_status"),
            models.Index(fields=["rw", "rt"], name="household_rw_rt"),
            # Duplicate checks group by hash among active households from the index alone.
            models.Index(fields=["kk_hash", "status"], name="household_kk"),
            models.Index(fields=["nik_hash", "status"], name="household_nik"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(members__gte=1), name="household_members_min_1"),
            models.CheckConstraint(condition=Q(decile__isnull=True)
                                   | Q(decile__gte=1, decile__lte=10),
                                   name="household_decile_1_to_10"),
        ]

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and audit entries.
        return f"household #{self.pk}"

    @property
    def is_flagged(self) -> bool:
        return (self.duplicate_kk or self.duplicate_nik or self.wrong_rw) and \
            self.flags_resolved_at is None


class Handout(models.Model):
    """One tap of the ketua RW: this household got ``quantity`` of an item of a signed BAST."""

    household = models.ForeignKey(Household, verbose_name=_("household"),
                                  on_delete=models.PROTECT, related_name="handouts")
    handover = models.ForeignKey("distribution.Handover", verbose_name=_("BAST"),
                                 on_delete=models.PROTECT, related_name="handouts")
    item = models.ForeignKey("donations.Item", verbose_name=_("aid item"),
                             on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    # Copied when recorded, so the reports group without joins over millions of rows:
    # the round of the BAST's allocations, the household's RW and its keyed hashes.
    round = models.ForeignKey("needs.AssessmentRound", verbose_name=_("round"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    rw = models.ForeignKey("areas.Area", verbose_name=_("RW"), on_delete=models.PROTECT,
                           related_name="+")
    kk_hash = models.CharField(max_length=64)
    nik_hash = models.CharField(max_length=64)
    given_on = models.DateField(_("date"))
    # Set when recorded if the same item already went to a household with the same KK or
    # NIK hash (any RW, programme or aggregator): the twice-received report then reads a
    # small partial index instead of grouping millions of handouts.
    repeat_of = models.ForeignKey("self", verbose_name=_("same item received before"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    repeat_match = models.CharField(max_length=3, blank=True)  # "kk" or "nik"
    class PhotoKind(models.TextChoices):
        RECEIPT = "receipt", _("photo of the receipt")
        SIGNATURE = "signature", _("the household's signature")

    photo = models.FileField(_("receipt photo"), upload_to="handouts/%Y/%m/", blank=True)
    photo_kind = models.CharField(_("what the photo shows"), max_length=10, blank=True,
                                  choices=PhotoKind.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("handout to a household")
        verbose_name_plural = _("handouts to households")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["household", "handover", "item"],
                                    name="handout_once_per_bast_item"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="handout_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["round", "rw", "household"], name="handout_round_rw"),
            models.Index(fields=["item", "kk_hash", "given_on"], name="handout_item_kk"),
            models.Index(fields=["item", "nik_hash", "given_on"], name="handout_item_nik"),
            models.Index(fields=["given_on"], condition=Q(repeat_of__isnull=False),
                         name="handout_repeats"),
        ]

    def __str__(self) -> str:
        return f"handout #{self.pk}"


class HouseholdImport(ImportJob):
    """An uploaded household list, processed by a background task that reports progress."""

    file = models.FileField(_("file"), upload_to="household_imports/%Y/%m/")
    # The region of the assessor who uploaded it (none: the default region); its rows may
    # name only that region's RWs.
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta(ImportJob.Meta):
        verbose_name = _("household list import")
        verbose_name_plural = _("household list imports")

    def __str__(self) -> str:
        return f"household import #{self.pk}"


class RwTally(models.Model):
    """Per RW: households on the list (any status), listed (active) and reached at least
    once. Kept by the services in the same transaction as the change they count, so the
    reports and public figures read 2,705 rows for all of Jakarta instead of counting
    millions (tallies.recount() is the definition they must always equal)."""

    rw = models.OneToOneField("areas.Area", verbose_name=_("RW"), primary_key=True,
                              on_delete=models.CASCADE, related_name="+")
    households = models.IntegerField(_("households"), default=0)
    listed = models.IntegerField(_("households listed"), default=0)
    reached = models.IntegerField(_("households reached"), default=0)

    class Meta:
        verbose_name = _("household tally of an RW")
        verbose_name_plural = _("household tallies of RWs")

    def __str__(self) -> str:
        return f"tally {self.rw_id}"


class RoundRwTally(models.Model):
    """Per assessment round and RW: households reached (at least one handout in the round)."""

    round = models.ForeignKey("needs.AssessmentRound", verbose_name=_("round"),
                              on_delete=models.CASCADE, related_name="+")
    rw = models.ForeignKey("areas.Area", verbose_name=_("RW"), on_delete=models.CASCADE,
                           related_name="+")
    reached = models.IntegerField(_("households reached"), default=0)

    class Meta:
        verbose_name = _("household tally of an RW in a round")
        verbose_name_plural = _("household tallies of RWs in rounds")
        constraints = [models.UniqueConstraint(fields=["round", "rw"],
                                               name="round_rw_tally_once")]

    def __str__(self) -> str:
        return f"tally {self.round_id} {self.rw_id}"
