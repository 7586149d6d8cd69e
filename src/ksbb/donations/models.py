"""Programmes and aid items (data, not code), collaborators, aggregators, pledges and the
purchases that turn pledged money into goods."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ksbb.accounts.models import Organization
from ksbb.areas.models import Area
from ksbb.donations.nik import mask_nik

# Defaults of the per-programme and per-item bounds: far above anything the KSBB programme saw
# (Rp 15 bn in all by mid-2020), far below what overflows a database column.
DEFAULT_MAX_AMOUNT = 100_000_000_000
DEFAULT_MAX_QUANTITY = 1_000_000


class Program(models.Model):
    """A KSBB programme such as Pangan (food) or Pendidikan (education)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # An upper bound that keeps a typing slip (or a hostile figure) out of the public totals.
    max_amount_rupiah = models.PositiveBigIntegerField(
        _("largest money pledge (rupiah)"), default=DEFAULT_MAX_AMOUNT,
        help_text=_("the most one money pledge or purchase of this programme may be"))
    # Issue 18: a region extends the standard programmes with its own (RegionProgram).
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("own programme of the region"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="own_programs",
        help_text=_("empty: a standard programme every region may adopt"))

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RegionProgram(models.Model):
    """A programme a region runs (issue 18: the standard programmes are a template each
    region adopts, and may rename). A region with no active row runs every active
    programme, so an installation that never chose behaves as before regions existed; the
    first adoption makes the region's list explicit."""

    region = models.ForeignKey("regions.Region", verbose_name=_("region"),
                               on_delete=models.CASCADE, related_name="region_programs")
    program = models.ForeignKey(Program, verbose_name=_("programme"), on_delete=models.PROTECT,
                                related_name="region_programs")
    local_name = models.CharField(
        _("name in the region"), max_length=200, blank=True,
        help_text=_("empty: the programme's own name"))
    is_active = models.BooleanField(_("run by the region"), default=True)
    created_at = models.DateTimeField(_("adopted"), auto_now_add=True)

    class Meta:
        verbose_name = _("programme of a region")
        verbose_name_plural = _("programmes of the regions")
        ordering = ["region", "program__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "program"],
                                    name="regionprogram_once_per_region"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id}: {self.name}"

    @property
    def name(self) -> str:
        return self.local_name or self.program.name


class Item(models.Model):
    """An aid item of a programme, counted in its unit and valued in rupiah."""

    class Unit(models.TextChoices):
        PAKET = "paket", _("package")
        KG = "kg", _("kg")
        UNIT = "unit", _("unit")
        RUPIAH = "rupiah", _("rupiah")

    program = models.ForeignKey(Program, verbose_name=_("programme"), on_delete=models.PROTECT,
                                related_name="items")
    # A short stable name for files and the API (needs imports, allocation problems).
    code = models.SlugField(_("code"), max_length=40, unique=True,
                            help_text=_("lower-case letters, digits and dashes, e.g. sembako"))
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    value_rupiah = models.PositiveBigIntegerField(_("value (rupiah)"))
    is_active = models.BooleanField(_("active"), default=True)
    max_quantity = models.PositiveIntegerField(
        _("largest quantity per pledge"), default=DEFAULT_MAX_QUANTITY,
        help_text=_("the most one pledge or purchase may give of this item, in its unit"))

    class Meta:
        verbose_name = _("aid item")
        verbose_name_plural = _("aid items")
        ordering = ["program__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="item_unique_per_program"),
            models.CheckConstraint(condition=Q(value_rupiah__gt=0), name="item_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_unit_display()})"


class CollaboratorKind(models.TextChoices):
    SOCIAL_ORG = "social_org", _("social organisation")
    BUSINESS = "business", _("business")
    INDIVIDUAL = "individual", _("individual")
    COMMUNITY = "community", _("community")
    GOVERNMENT = "government", _("government institution")


class CollaboratorProfile(models.Model):
    """What KSBB knows about a collaborator organisation (an individual is one too)."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="collaborator_profile", limit_choices_to={"kind": "collaborator"})
    collaborator_kind = models.CharField(_("collaborator kind"), max_length=20,
                                         choices=CollaboratorKind.choices, db_index=True)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=100,
                                           blank=True)
    # Individuals only; personal data: never shown in full outside the back office.
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("collaborator profile")
        verbose_name_plural = _("collaborator profiles")

    def __str__(self) -> str:
        return str(self.organization)

    @property
    def nik_masked(self) -> str:
        return mask_nik(self.nik)


class AggregatorProfile(models.Model):
    """A humanitarian organisation's Kemensos licence and the platform's check of it."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="aggregator_profile", limit_choices_to={"kind": "aggregator"})
    licence_number = models.CharField(_("Kemensos licence number"), max_length=100)
    licence_valid_until = models.DateField(_("licence valid until"))
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("aggregator profile")
        verbose_name_plural = _("aggregator profiles")

    def __str__(self) -> str:
        return str(self.organization)


class Pledge(models.Model):
    """Goods or money promised by a collaborator through an aggregator."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("goods")
        MONEY = "money", _("money")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        RECEIVED = "received", _("received")
        ALLOCATED = "allocated", _("allocated")
        DISTRIBUTED = "distributed", _("distributed")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")
        REJECTED = "rejected", _("rejected")

    collaborator = models.ForeignKey(Organization, verbose_name=_("collaborator"),
                                     on_delete=models.PROTECT, related_name="pledges_given")
    aggregator = models.ForeignKey(Organization, verbose_name=_("aggregator"),
                                   on_delete=models.PROTECT, related_name="pledges_received")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Goods name an item; money a programme. The programme is kept for goods too.
    program = models.ForeignKey(Program, verbose_name=_("programme"), on_delete=models.PROTECT,
                                related_name="pledges")
    item = models.ForeignKey(Item, verbose_name=_("aid item"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="pledges")
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    amount_rupiah = models.PositiveBigIntegerField(_("amount (rupiah)"), null=True, blank=True)
    received_quantity = models.PositiveIntegerField(_("received quantity"), null=True,
                                                    blank=True)
    received_amount = models.PositiveBigIntegerField(_("received amount (rupiah)"), null=True,
                                                     blank=True)
    preferred_area = models.ForeignKey(Area, verbose_name=_("preferred area"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey("needs.Recipient", verbose_name=_("recipient"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="pledges")
    # The region the pledge is given to (None: the default region, see ksbb.regions); only
    # that region's allocation runs offer it.
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="pledges")
    state = models.CharField(_("state"), max_length=16, choices=State.choices,
                             default=State.SUBMITTED, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="goods", item__isnull=False, quantity__gt=0,
                            amount_rupiah__isnull=True, received_amount__isnull=True)
                | Q(kind="money", item__isnull=True, amount_rupiah__gt=0,
                    quantity__isnull=True, received_quantity__isnull=True),
                name="pledge_goods_or_money",
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__isnull=True)
                | Q(received_quantity__gt=0, received_quantity__lte=models.F("quantity")),
                name="pledge_received_quantity_within_pledged",
            ),
            models.CheckConstraint(
                condition=Q(received_amount__isnull=True)
                | Q(received_amount__gt=0, received_amount__lte=models.F("amount_rupiah")),
                name="pledge_received_amount_within_pledged",
            ),
        ]
        indexes = [models.Index(fields=["aggregator", "state"]),
                   models.Index(fields=["collaborator", "state"])]

    def __str__(self) -> str:
        if self.kind == self.Kind.GOODS:
            what = f"{self.quantity} x {self.item.name if self.item is not None else '?'}"
        else:
            what = f"Rp {self.amount_rupiah:,}".replace(",", ".")
        return f"#{self.pk} {what}"


# A pledge's states in groups, named here once: statistics, allocation, receipts and the
# services ask these rather than listing states themselves. Later states are the same
# pledge moving on through allocation and distribution (donations.services moves it).
_S = Pledge.State
#: Received by the aggregator: counts in every public figure and has a receipt.
PLEDGE_COUNTS_AS_RECEIVED = (_S.RECEIVED, _S.ALLOCATED, _S.DISTRIBUTED, _S.COMPLETED)
#: A promise: submitted, not yet received; shown apart, never counted as received.
PLEDGE_PROMISED = (_S.SUBMITTED,)
#: Goods the engine and the assessors may still allocate.
PLEDGE_ALLOCATABLE = (_S.RECEIVED, _S.ALLOCATED)
#: Money an aggregator may still spend on purchases.
PLEDGE_SPENDABLE = (_S.RECEIVED, _S.ALLOCATED, _S.DISTRIBUTED)
#: Ended without anything received.
PLEDGE_WITHDRAWN = (_S.CANCELLED, _S.REJECTED)


class Purchase(models.Model):
    """Goods an aggregator bought with pledged money, funded by one or more pledges."""

    aggregator = models.ForeignKey(Organization, verbose_name=_("aggregator"),
                                   on_delete=models.PROTECT, related_name="purchases")
    item = models.ForeignKey(Item, verbose_name=_("aid item"), on_delete=models.PROTECT,
                             related_name="purchases")
    quantity = models.PositiveIntegerField(_("quantity"))
    cost_rupiah = models.PositiveBigIntegerField(_("cost (rupiah)"))
    supplier = models.CharField(_("supplier"), max_length=200)
    receipt = models.FileField(_("receipt"), upload_to="purchases/%Y/%m/", blank=True)
    purchased_at = models.DateField(_("purchase date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-purchased_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0, cost_rupiah__gt=0),
                                   name="purchase_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.quantity} x {self.item.name}"


class PurchaseFunding(models.Model):
    """How much of one money pledge paid for a purchase."""

    purchase = models.ForeignKey(Purchase, verbose_name=_("purchase"), on_delete=models.CASCADE,
                                 related_name="fundings")
    pledge = models.ForeignKey(Pledge, verbose_name=_("pledge"), on_delete=models.PROTECT,
                               related_name="fundings")
    amount_rupiah = models.PositiveBigIntegerField(_("amount (rupiah)"))

    class Meta:
        verbose_name = _("purchase funding")
        verbose_name_plural = _("purchase fundings")
        constraints = [
            models.UniqueConstraint(fields=["purchase", "pledge"],
                                    name="funding_one_row_per_pledge"),
            models.CheckConstraint(condition=Q(amount_rupiah__gt=0),
                                   name="funding_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.pledge_id} -> {self.purchase_id}: {self.amount_rupiah}"


class CollaboratorLink(models.Model):
    """A collaborator an aggregator may record (import) pledges for: invited by the
    aggregator's staff by e-mail address, accepted by the collaborator. Until accepted,
    nothing is recorded for the address."""

    aggregator = models.ForeignKey(Organization, verbose_name=_("aggregator"),
                                   on_delete=models.CASCADE, related_name="collaborator_links")
    email = models.EmailField(_("invited e-mail address"))
    collaborator = models.ForeignKey(Organization, verbose_name=_("collaborator"), null=True,
                                     blank=True, on_delete=models.CASCADE,
                                     related_name="aggregator_links")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("collaborator link")
        verbose_name_plural = _("collaborator links")
        constraints = [
            models.UniqueConstraint(fields=["aggregator", "email"],
                                    name="collaboratorlink_one_per_address"),
        ]

    def __str__(self) -> str:
        return f"{self.aggregator_id} <- {self.email}"
