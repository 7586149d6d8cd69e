"""What the statistics layer stores: the generation counter of its cache and the rollups
(summary tables) the dashboard reads.

The rollups are derived data, kept by the services in the same transaction as the change
(see ksbb.stats.rollups) and rebuilt from the source tables by ``ksbb stats_rebuild``. Their
keys are plain integers and codes, not foreign keys: they never hold up a delete, and the
labels (names) are looked up when the dashboard is computed. Quantities of goods are kept in
the item's unit, not in rupiah, so that a change of an item's value or unit shows at once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Generation(models.Model):
    """One row, bumped whenever the data the statistics come from changes.

    Cached dashboards are keyed by this number. It lives in the database rather than in
    the cache because a bump must commit (or roll back) together with the change that
    caused it, and reach every process (web workers, task worker) whatever cache the
    installation configures.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(_("generation"), default=0)
    # Set when the data changed without the services keeping the rollups (admin, shell,
    # bulk loads, fixtures): the next dashboard computation rebuilds them first.
    rollups_stale = models.BooleanField(_("rollups stale"), default=False)

    class Meta:
        verbose_name = _("statistics generation")
        verbose_name_plural = _("statistics generation")

    def __str__(self) -> str:
        return str(self.value)


class AreaBoundary(models.Model):
    """The outline of one area (GeoJSON geometry, WGS 84), loaded by ``ksbb load_boundaries``
    to draw the coverage map. Optional: without boundaries the page shows bars and a table."""

    area = models.OneToOneField("areas.Area", verbose_name=_("area"), primary_key=True,
                                on_delete=models.CASCADE, related_name="boundary")
    level = models.PositiveSmallIntegerField(_("level"), db_index=True)
    geometry = models.TextField(_("geometry (GeoJSON)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("area boundary")
        verbose_name_plural = _("area boundaries")
        ordering = ["area_id"]

    def __str__(self) -> str:
        return str(self.area_id)


NO_ITEM = 0  # the item key of money (collected) and of the per-delivery rows (delivered)


class CollectedDaily(models.Model):
    """Received pledges per local day of receipt, programme, regency (of the preferred area,
    else of the recipient it is meant for, else the collaborator's; "" when none),
    collaborator kind ("" without a profile) and item (``NO_ITEM``: money)."""

    day = models.DateField()
    program_id = models.IntegerField()
    regency = models.CharField(max_length=16)
    collaborator_kind = models.CharField(max_length=20)
    item_id = models.IntegerField()
    pledges = models.BigIntegerField(default=0)
    quantity = models.BigIntegerField(default=0)  # goods, in the item's unit
    amount = models.BigIntegerField(default=0)  # money, rupiah

    class Meta:
        verbose_name = _("collected per day (rollup)")
        verbose_name_plural = _("collected per day (rollup)")
        constraints = [models.UniqueConstraint(
            fields=["day", "program_id", "regency", "collaborator_kind", "item_id"],
            name="stats_collecteddaily_key")]
        # A region's dashboard reads its own regencies' rows (ksbb.stats.regionrows) from
        # this index alone (it holds every column): the rows of one region lie together in
        # it, however the other regions' rows interleave with them in the table, so a
        # region's dashboard costs what it would in an installation of that region only.
        indexes = [models.Index(fields=["regency", "collaborator_kind", "program_id",
                                        "item_id", "day", "pledges", "quantity", "amount"],
                                name="stats_collected_region_rows")]

    def __str__(self) -> str:
        return (f"{self.day} {self.program_id} {self.regency} {self.collaborator_kind} "
                f"{self.item_id}")


class FundedDaily(models.Model):
    """Money of received pledges spent on purchases, keyed like ``CollectedDaily`` by the
    paying pledge (day of receipt, programme, regency, collaborator kind) and by the item
    bought."""

    day = models.DateField()
    program_id = models.IntegerField()
    regency = models.CharField(max_length=16)
    collaborator_kind = models.CharField(max_length=20)
    item_id = models.IntegerField()
    amount = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("funded per day (rollup)")
        verbose_name_plural = _("funded per day (rollup)")
        constraints = [models.UniqueConstraint(
            fields=["day", "program_id", "regency", "collaborator_kind", "item_id"],
            name="stats_fundeddaily_key")]

    def __str__(self) -> str:
        return (f"{self.day} {self.program_id} {self.regency} {self.collaborator_kind} "
                f"{self.item_id}")


class DeliveredDaily(models.Model):
    """What the BASTs in force (signed, not replaced by a signed correction) handed over, per
    BAST date, programme, regency of the recipient, recipient's area (its code cut at the
    village: where aid went, down to the kelurahan), recipient kind and item. The rows with
    ``item_id = NO_ITEM`` count the deliveries (one BAST in force per delivery)."""

    day = models.DateField()
    program_id = models.IntegerField()
    regency = models.CharField(max_length=16)
    area = models.CharField(max_length=20, default="")
    recipient_kind = models.CharField(max_length=32)  # as Recipient.kind
    item_id = models.IntegerField()
    deliveries = models.BigIntegerField(default=0)
    quantity = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("delivered per day (rollup)")
        verbose_name_plural = _("delivered per day (rollup)")
        constraints = [models.UniqueConstraint(
            fields=["day", "program_id", "regency", "area", "recipient_kind", "item_id"],
            name="stats_delivereddaily_area_key")]
        # Every column, led by the regency: a region's rows from the index alone (see
        # CollectedDaily).
        indexes = [models.Index(fields=["regency", "recipient_kind", "item_id", "area", "day",
                                        "program_id", "deliveries", "quantity"],
                                name="stats_delivered_region_rows")]

    def __str__(self) -> str:
        return f"{self.day} {self.program_id} {self.regency} {self.recipient_kind} {self.item_id}"


class CollectedTotal(models.Model):
    """``CollectedDaily`` summed over days and collaborator kinds: per programme, regency and
    item. Kept by the same calls that keep the daily rows (ksbb.stats.rollups), so it is
    always their sum; the national roll-up reads these few thousand rows instead of the
    daily ones, which grow with the days."""

    program_id = models.IntegerField()
    regency = models.CharField(max_length=16)
    item_id = models.IntegerField()
    pledges = models.BigIntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("collected in total (rollup)")
        verbose_name_plural = _("collected in total (rollup)")
        constraints = [models.UniqueConstraint(fields=["program_id", "regency", "item_id"],
                                               name="stats_collectedtotal_key")]

    def __str__(self) -> str:
        return f"{self.program_id} {self.regency} {self.item_id}"


class DeliveredTotal(models.Model):
    """``DeliveredDaily`` summed over days, recipients' areas and kinds: per programme,
    regency and item (its rows grow with the places and days aid reached; these do not).
    Kept by the same calls, so it is always their sum."""

    program_id = models.IntegerField()
    regency = models.CharField(max_length=16)
    item_id = models.IntegerField()
    deliveries = models.BigIntegerField(default=0)
    quantity = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("delivered in total (rollup)")
        verbose_name_plural = _("delivered in total (rollup)")
        constraints = [models.UniqueConstraint(fields=["program_id", "regency", "item_id"],
                                               name="stats_deliveredtotal_key")]

    def __str__(self) -> str:
        return f"{self.program_id} {self.regency} {self.item_id}"


# The key of the summary rollups: what they keep of their daily rollup's key.
TOTAL_KEY = ("program_id", "regency", "item_id")


class Role(models.TextChoices):
    COLLABORATOR = "c", _("collaborator")
    RECIPIENT = "r", _("recipient")


class ReachDay(models.Model):
    """The days on which one collaborator gave (pledges received) or one recipient was
    reached (BASTs in force), per programme and regency: the exact basis of the distinct
    counts under a period filter."""

    role = models.CharField(max_length=1, choices=Role.choices)
    entity_id = models.BigIntegerField()
    program_id = models.IntegerField()
    regency = models.CharField(max_length=16)
    day = models.DateField()
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("reach per day (rollup)")
        verbose_name_plural = _("reach per day (rollup)")
        constraints = [models.UniqueConstraint(
            fields=["role", "entity_id", "program_id", "regency", "day"],
            name="stats_reachday_key")]

    def __str__(self) -> str:
        return f"{self.role}{self.entity_id} {self.program_id} {self.regency} {self.day}"


class Reach(models.Model):
    """First and last day of ``ReachDay`` per (role, entity, programme, regency): a few
    thousand rows that answer most distinct counts alone (see selectors._distinct)."""

    role = models.CharField(max_length=1, choices=Role.choices)
    entity_id = models.BigIntegerField()
    program_id = models.IntegerField()
    regency = models.CharField(max_length=16)
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        verbose_name = _("reach (rollup)")
        verbose_name_plural = _("reach (rollup)")
        constraints = [models.UniqueConstraint(
            fields=["role", "entity_id", "program_id", "regency"], name="stats_reach_key")]
        # A region's distinct counts from the index alone (see CollectedDaily).
        indexes = [models.Index(fields=["role", "regency", "program_id", "first_day",
                                        "last_day", "entity_id"],
                                name="stats_reach_region_rows")]

    def __str__(self) -> str:
        return f"{self.role}{self.entity_id} {self.program_id} {self.regency}"
