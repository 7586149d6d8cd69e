"""Open data: the public datasets behind ``/open-data/``, as rows of plain values.

No personal data leaves through here: no person's name, NIK, phone, e-mail or address.
Organisations are named only when they act as aggregator or executor, or when a
collaborator is not an individual; individual donors are one group, "Donatur perorangan".
Rows are written in the platform's language (Indonesian) whatever the visitor's, so every
download of the same data is the same file.

Two datasets:

* ``deliveries``: what was handed over, by the latest signed BAST of each delivery (a signed
  correction replaces the BAST it supersedes), per date, programme, aggregator, executor,
  item, kind of recipient and the recipient's village.
* ``pledges``: what was collected (received pledges and later states, as on the dashboard),
  per week of receipt, programme, kind of collaborator, collaborator, aggregator and item
  (or money).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.distribution.models import Handover, HandoverLine
from ksbb.donations.models import CollaboratorKind, Item, Pledge, PurchaseFunding
from ksbb.donations.selectors import program_names_by_region
from ksbb.households.selectors import public_figures
from ksbb.needs.models import Recipient
from ksbb.regions.models import Region
from ksbb.regions.selectors import region_table
from ksbb.stats.ledger import collected_parts
from ksbb.stats.regionrows import region_of_regency
from ksbb.stats.selectors import Filters, collected_pledges

LICENCE = "Creative Commons Attribution 4.0 (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
AREAS_LICENCE = ("Area codes and names: Kemendagri codes as compiled by the idn-area-data "
                 "project, Open Database License (ODbL 1.0)")
CURRENCY = "IDR"
MONEY = "money"
UNKNOWN = "unknown"
# Values in the data, always Indonesian (the data's language), not interface text.
INDIVIDUALS = "Donatur perorangan"
NOT_PUBLISHED = "(tidak dipublikasikan)"
MONEY_NAME = "Uang"
UNKNOWN_NAME = "tidak diketahui"
# Collaborators whose organisation's name may be published: everyone but individuals.
NAMED_KINDS = (CollaboratorKind.SOCIAL_ORG, CollaboratorKind.BUSINESS,
               CollaboratorKind.COMMUNITY, CollaboratorKind.GOVERNMENT)
FORMATS = ("csv", "json", "xlsx", "hxl.csv")

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # "date", "text" or "integer"
    hxl: str
    meaning: str | Promise


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]
    rows: Callable[[], list[Row]]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


# Rows.

def _area_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _prefix(code: str | None, level: int) -> str:
    return areacodes.ancestor_at(code or "", level) or ""


class _Regions:
    """The region columns of a row (ksbb.stats.regionrows: what lies in no region's area is
    the default region's), by the code of the row's place."""

    def __init__(self) -> None:
        self.table = region_table()
        self.names = dict(Region.objects.values_list("code", "name"))

    def columns(self, code: str) -> Row:
        region = region_of_regency(code, self.table).code
        province, _dot, rest = region.partition(".")
        return {"region_province_code": province,
                "region_regency_code": region if rest else "",
                "region_name": self.names.get(region, region)}


def region_of_row(row: Row) -> str:
    """A row's region code, from its region columns."""
    return str(row.get("region_regency_code") or row.get("region_province_code") or "")


def delivery_rows() -> list[Row]:
    """One row per BAST date, programme, aggregator, executor, item, recipient kind and
    village: quantity handed over, recipients reached and the value in rupiah."""
    lines = HandoverLine.objects.filter(handover__state=Handover.State.SIGNED).exclude(
        handover__superseded_by__state=Handover.State.SIGNED).order_by()
    allocation = "delivery_line__allocation__"
    grouped = lines.annotate(
        aggregator=Coalesce(F(f"{allocation}pledge__aggregator__name"),
                            F(f"{allocation}purchase__aggregator__name"), Value(""),
                            output_field=CharField()),
    ).values(
        "handover__date", "handover__program__code", "handover__program__name", "aggregator",
        "handover__delivery__executor__name", "item__code", "item__name", "item__unit",
        "handover__delivery__recipient__kind", "handover__delivery__recipient__area_id",
    ).annotate(
        q=Sum("quantity"),
        recipients=Count("handover__delivery__recipient", distinct=True),
        v=Sum(F("quantity") * F("item__value_rupiah")),
    )
    kinds = dict(Recipient.Kind.choices)
    units = dict(Item.Unit.choices)
    merged: dict[tuple[Any, ...], Row] = {}
    for g in grouped:
        area = g["handover__delivery__recipient__area_id"] or ""
        key = (g["handover__date"], g["handover__program__code"], g["aggregator"],
               g["handover__delivery__executor__name"] or "", g["item__code"],
               g["handover__delivery__recipient__kind"], _prefix(area, 4))
        row = merged.get(key)
        if row is None:
            kind = g["handover__delivery__recipient__kind"]
            row = merged[key] = {
                "date": g["handover__date"],
                "program_code": g["handover__program__code"],
                "program_name": g["handover__program__name"],
                "aggregator": g["aggregator"],
                "executor": g["handover__delivery__executor__name"] or "",
                "item_code": g["item__code"],
                "item_name": g["item__name"],
                "unit": str(units.get(g["item__unit"], g["item__unit"])),
                "recipient_kind": kind,
                "recipient_kind_name": str(kinds.get(kind, kind)),
                "regency_code": _prefix(area, 2),
                "regency_name": "",
                "district_code": _prefix(area, 3),
                "district_name": "",
                "village_code": _prefix(area, 4),
                "village_name": "",
                "recipients": 0,
                "quantity": 0,
                "value_rupiah": 0,
                "currency": CURRENCY,
            }
        row["recipients"] += g["recipients"] or 0
        row["quantity"] += int(g["q"] or 0)
        row["value_rupiah"] += int(g["v"] or 0)
    rows = list(merged.values())
    names = _area_names(c for r in rows for c in
                        (r["regency_code"], r["district_code"], r["village_code"]) if c)
    regions = _Regions()
    for r in rows:
        for level in ("regency", "district", "village"):
            r[f"{level}_name"] = names.get(r[f"{level}_code"], "")
        # The regency, as the rollups place a delivery (ksbb.stats.rollups.recipient_regency).
        r.update(regions.columns(r["regency_code"] if r["district_code"] else ""))
    rows.sort(key=lambda r: (r["date"], r["program_code"], r["village_code"], r["item_code"],
                             r["aggregator"], r["executor"], r["recipient_kind"]))
    return rows


def pledge_rows() -> list[Row]:
    """One row per week of receipt (Monday, local time), programme, collaborator kind,
    collaborator (individuals together), aggregator and item or money: pledges, quantity
    and value in rupiah.

    Money is counted once, as the ledger counts it (``ksbb.stats.ledger.collected_parts``):
    what a purchase spent of a money pledge is in the row of the item bought (its value the
    rupiah spent, its quantity the units bought), only the rest under ``money``; each pledge
    counts once, in the row of its first part."""
    kind_field = "collaborator__collaborator_profile__collaborator_kind"
    tz = timezone.get_default_timezone()
    collected = collected_pledges(Filters())
    funded = set(PurchaseFunding.objects.filter(
        pledge__in=collected.filter(kind=Pledge.Kind.MONEY).values("pk")).values_list(
        "pledge_id", flat=True))
    key_fields = ("day", "program__code", "program__name", "collaborator_kind",
                  "collaborator_name", "aggregator__name", "regency")
    regions = _Regions()

    def keyed(qs: Any) -> Any:
        return qs.annotate(
            day=TruncDate("received_at", tzinfo=tz),
            collaborator_kind=Coalesce(F(kind_field), Value(UNKNOWN), output_field=CharField()),
            # The name leaves the database only for organisations that are not individuals.
            collaborator_name=Case(When(**{f"{kind_field}__in": NAMED_KINDS},
                                        then=F("collaborator__name")),
                                   default=Value(""), output_field=CharField()),
        )

    grouped = keyed(collected.exclude(pk__in=funded)).values(
        *key_fields, "kind", "item__code", "item__name", "item__unit",
    ).annotate(
        pledges=Count("pk"),
        q=Sum("received_quantity"),
        total=Sum("value"),
    )
    kinds = dict(CollaboratorKind.choices)
    units = dict(Item.Unit.choices)
    merged: dict[tuple[Any, ...], Row] = {}

    def add(g: dict[str, Any], item: tuple[str, str, str] | None, pledges: int, quantity: int,
            value: int) -> None:
        day = g["day"]
        if isinstance(day, dt.datetime):
            day = day.date()
        week = day - dt.timedelta(days=day.weekday())
        kind = g["collaborator_kind"]
        name = g["collaborator_name"] or (INDIVIDUALS if kind == CollaboratorKind.INDIVIDUAL
                                          else NOT_PUBLISHED)
        item_code = MONEY if item is None else item[0]
        region = regions.columns(g["regency"] or "")
        key = (week, g["program__code"], kind, name, g["aggregator__name"], item_code,
               region_of_row(region))
        row = merged.get(key)
        if row is None:
            row = merged[key] = {
                "week_start": week,
                "program_code": g["program__code"],
                "program_name": g["program__name"],
                "collaborator_kind": kind,
                "collaborator_kind_name": str(kinds.get(kind, UNKNOWN_NAME)),
                "collaborator": name,
                "aggregator": g["aggregator__name"],
                "item_code": item_code,
                "item_name": MONEY_NAME if item is None else item[1],
                "unit": CURRENCY if item is None else str(units.get(item[2], item[2])),
                **region,
                "pledges": 0,
                "quantity": 0,
                "value_rupiah": 0,
                "currency": CURRENCY,
            }
        row["pledges"] += pledges
        row["quantity"] += quantity
        row["value_rupiah"] += value

    for g in grouped:
        money = g["kind"] == Pledge.Kind.MONEY
        add(g, None if money else (g["item__code"], g["item__name"], g["item__unit"]),
            g["pledges"], 0 if money else int(g["q"] or 0), int(g["total"] or 0))
    if funded:
        keys = {g["pk"]: g for g in keyed(collected.filter(pk__in=funded)).values(
            "pk", *key_fields)}
        items = {pk: (code, name, unit) for pk, code, name, unit in
                 Item.objects.values_list("pk", "code", "name", "unit")}
        for part in collected_parts(Pledge.objects.filter(pk__in=funded)):
            add(keys[part.pledge_id], None if part.item_id is None else items[part.item_id],
                int(part.first), part.units, part.rupiah)
    rows = list(merged.values())
    rows.sort(key=lambda r: (r["week_start"], r["program_code"], r["collaborator_kind"],
                             r["collaborator"], r["aggregator"], r["item_code"],
                             region_of_row(r)))
    return rows


# The catalogue.

_PROGRAM = (
    Column("program_code", "text", "#sector+code", gettext_lazy("Programme code")),
    Column("program_name", "text", "#sector+name", gettext_lazy("Programme name")),
)
_ITEM = (
    Column("item_code", "text", "#item+code",
           gettext_lazy("Aid item code (\"money\" for money not given as goods)")),
    Column("item_name", "text", "#item+name", gettext_lazy("Aid item name")),
    Column("unit", "text", "#item+unit", gettext_lazy("Unit of the quantity")),
)
# A region (ksbb.regions) is a province or a regency/city: its code is in the column of its
# level, the regency/city one empty for a province, so each keeps its standard HXL tag.
_REGION = (
    Column("region_province_code", "text", "#adm1+code+region",
           gettext_lazy("Province of the KSBB region the row belongs to")),
    Column("region_regency_code", "text", "#adm2+code+region",
           gettext_lazy("Regency/city of the KSBB region the row belongs to (empty when the "
                        "region is a whole province)")),
    Column("region_name", "text", "#org+region+name",
           gettext_lazy("Name of the KSBB region the row belongs to")),
)
_VALUE = (
    Column("value_rupiah", "integer", "#value",
           gettext_lazy("Value in rupiah: goods at their item's value; money at the rupiah "
                        "received, or, once spent, at the rupiah the goods it bought cost")),
    Column("currency", "text", "#currency", gettext_lazy("Currency of the value (IDR)")),
)

DATASETS: dict[str, Dataset] = {
    "deliveries": Dataset(
        slug="deliveries",
        title=gettext_lazy("Deliveries by area and item"),
        description=gettext_lazy(
            "Aid handed over, from the latest signed handover report (BAST) of each delivery, "
            "by date, programme, aggregator, executor, item, kind of recipient and village."),
        columns=(
            Column("date", "date", "#date", gettext_lazy("Date of the signed BAST")),
            *_PROGRAM,
            Column("aggregator", "text", "#org+impl+aggregator",
                   gettext_lazy("Humanitarian organisation (aggregator) that supplied the aid")),
            Column("executor", "text", "#org+impl+executor",
                   gettext_lazy("Executor that handed the aid over")),
            *_ITEM,
            Column("recipient_kind", "text", "#group+code",
                   gettext_lazy("Kind of recipient (code)")),
            Column("recipient_kind_name", "text", "#group+name",
                   gettext_lazy("Kind of recipient")),
            Column("regency_code", "text", "#adm2+code", gettext_lazy("Regency/city code")),
            Column("regency_name", "text", "#adm2+name", gettext_lazy("Regency/city name")),
            Column("district_code", "text", "#adm3+code", gettext_lazy("District code")),
            Column("district_name", "text", "#adm3+name", gettext_lazy("District name")),
            Column("village_code", "text", "#adm4+code", gettext_lazy("Village code")),
            Column("village_name", "text", "#adm4+name", gettext_lazy("Village name")),
            *_REGION,
            Column("recipients", "integer", "#reached",
                   gettext_lazy("Recipients reached (RWs and institutions)")),
            Column("quantity", "integer", "#item+num", gettext_lazy("Quantity handed over")),
            *_VALUE,
        ),
        rows=delivery_rows,
    ),
    "pledges": Dataset(
        slug="pledges",
        title=gettext_lazy("Pledges by kind of collaborator"),
        description=gettext_lazy(
            "Donations received by the aggregators, by week of receipt, programme, kind of "
            "collaborator, aggregator and item or money. Money is counted once: as money "
            "until an aggregator spends it, then as the goods it bought. Individual donors "
            "are never named."),
        columns=(
            Column("week_start", "date", "#date+week",
                   gettext_lazy("Monday of the week the pledges were received")),
            *_PROGRAM,
            Column("collaborator_kind", "text", "#org+funding+type",
                   gettext_lazy("Kind of collaborator (code)")),
            Column("collaborator_kind_name", "text", "#org+funding+type+name",
                   gettext_lazy("Kind of collaborator")),
            Column("collaborator", "text", "#org+funding",
                   gettext_lazy("Collaborator organisation; individuals as one group")),
            Column("aggregator", "text", "#org+impl+aggregator",
                   gettext_lazy("Humanitarian organisation (aggregator) that received it")),
            *_ITEM,
            *_REGION,
            Column("pledges", "integer", "#meta+count", gettext_lazy("Number of pledges")),
            Column("quantity", "integer", "#item+num",
                   gettext_lazy("Quantity of goods received or bought with the money "
                                "(0 for money not yet spent)")),
            *_VALUE,
        ),
        rows=pledge_rows,
    ),
}


def dataset_rows(slug: str, *, region: str | None = None) -> list[Row]:
    """The rows of one dataset, in the platform's language; with ``region`` (an area code),
    only that region's rows (datasets without region columns are not filtered)."""
    with translation.override(settings.LANGUAGE_CODE):
        rows = DATASETS[slug].rows()
    if "region_name" in DATASETS[slug].names and "program_name" in DATASETS[slug].names:
        # Each row's programme as its region calls it (donations.RegionProgram).
        names = program_names_by_region()
        for row in rows:
            row["program_name"] = names.get((region_of_row(row), row["program_code"]),
                                            row["program_name"])
    if region is not None and "region_name" in DATASETS[slug].names:
        rows = [r for r in rows if region_of_row(r) == region]
    return rows


# Households reached (issue 16): counts only, every count under 5 published as "<5", and
# "x" for a count hidden so that the village total does not give one away.

SUPPRESSED = "<5"


def household_rows() -> list[Row]:
    def shown(n: int | None, mark: str) -> str:
        return (mark or SUPPRESSED) if n is None else str(n)

    return [{"level": f.level, "area_code": f.code, "area_name": f.name,
             "households_listed": shown(f.listed, f.listed_mark),
             "households_reached": shown(f.reached, f.reached_mark),
             "share_reached_percent": "" if f.share is None else str(f.share)}
            for f in public_figures()]


DATASETS["households"] = Dataset(
    slug="households",
    title=gettext_lazy("Households listed and reached"),
    description=gettext_lazy(
        "Per village and RW: households on the aid lists and households that received aid "
        "at least once, and the share. Counts under 5 are published as <5 (and the share "
        "left empty), so that no family can be singled out; where a village's total would "
        "give such a count away, a second count of the village is published as x."),
    columns=(
        Column("level", "text", "#meta+level", gettext_lazy("village or rw")),
        Column("area_code", "text", "#adm4+code", gettext_lazy("Village or RW code")),
        Column("area_name", "text", "#adm4+name", gettext_lazy("Village or RW name")),
        Column("households_listed", "text", "#population+hh+listed",
               gettext_lazy("Households on the lists (<5 when fewer than 5)")),
        Column("households_reached", "text", "#population+hh+reached",
               gettext_lazy("Households that received aid at least once (<5 when fewer "
                            "than 5)")),
        Column("share_reached_percent", "text", "#population+hh+reached+pct",
               gettext_lazy("Share reached, in percent (empty when a count is under 5)")),
    ),
    rows=household_rows,
)
