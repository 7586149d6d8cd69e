"""The public dashboard's figures, computed from the rollups (summary tables kept by the
services, see ksbb.stats.rollups) in a dozen small aggregate queries, and cached until the
data changes. ksbb.stats.reference computes the same figures from the source tables.

:func:`dashboard` is the one source of truth: the page at ``/`` and the API at
``/api/v1/stats/dashboard/`` both show what it returns.

What counts as collected: pledges the aggregator confirmed (``received``) and every later
state (allocated, distributed, completed); money at its received amount, goods at their
received quantity times the item's value in rupiah. The period is the date of receipt in the
platform's time zone (Asia/Jakarta by default).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BigIntegerField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.donations.models import (
    PLEDGE_COUNTS_AS_RECEIVED,
    CollaboratorKind,
    CollaboratorProfile,
    Item,
    Pledge,
    Program,
)
from ksbb.needs.models import Recipient
from ksbb.stats.models import (
    NO_ITEM,
    CollectedDaily,
    DeliveredDaily,
    FundedDaily,
    Generation,
    Reach,
    ReachDay,
    Role,
)
from ksbb.stats.regionrows import memo_table_key, pledge_place_expression, regency_filter
from ksbb.stats.rollups import bump, ensure_fresh, is_stale
from ksbb.stats.tasks import rebuild_in_background

UNKNOWN = "unknown"
_COMPUTE_LOCK = threading.Lock()
MONEY_UNSPENT = "money"
REGENCY_CODE_LENGTH = len("31.71")
# A safety net only: every change to pledges and purchases invalidates at once.
CACHE_SECONDS = 600
# Reference computation (ksbb.stats.reference): up to this many weeks the weekly totals use
# one CASE; beyond, the database truncates.
MAX_CASE_WEEKS = 520


@dataclass(frozen=True)
class Filters:
    program: str | None = None  # programme code, e.g. "PANGAN"
    start: dt.date | None = None  # received on or after (local date)
    end: dt.date | None = None  # received on or before (local date)
    regency: str | None = None  # regency/city code, e.g. "31.71"
    # A region's area code ("32.73"): only what belongs to that region (ksbb.stats.regionrows).
    region: str | None = None

    def cache_part(self) -> str:
        part = "|".join(str(v or "") for v in (self.program, self.start, self.end,
                                                self.regency))
        if self.region:
            part += f"|{self.region}@{memo_table_key()}"
        return part


@dataclass(frozen=True)
class Share:
    """One slice of the total: its key (a code), its label, rupiah and percent of total."""

    key: str
    label: str
    value: int
    percent: float


@dataclass(frozen=True)
class WeekTotal:
    week_start: dt.date  # the Monday of the ISO week
    value: int


@dataclass(frozen=True)
class Delivered:
    deliveries: int = 0
    packages_delivered: int = 0
    recipients_reached: int = 0
    by_recipient_kind: list[Share] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    total_collected: int
    collaborators: int
    pledges: int
    deliveries: int
    packages_delivered: int
    recipients_reached: int
    by_regency: list[Share]
    by_collaborator_kind: list[Share]
    by_program: list[Share]
    by_item: list[Share]
    by_recipient_kind: list[Share]
    weekly: list[WeekTotal]
    # Where aid went: the BASTs in force, in rupiah at the items' values, placed by the
    # recipient's area (by_regency above is where it came from: collected, by donor's area).
    delivered_value: int = 0
    delivered_by_regency: list[Share] = field(default_factory=list)
    delivered_by_district: list[Share] = field(default_factory=list)
    delivered_by_village: list[Share] = field(default_factory=list)
    delivered_by_item: list[Share] = field(default_factory=list)
    # Distinct collaborators per kind (value = how many; percent of all collaborators).
    collaborators_by_kind: list[Share] = field(default_factory=list)
    # Packages handed over per week (BAST date).
    weekly_delivered: list[WeekTotal] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO strings): what the API returns and the page embeds."""
        data = dataclasses.asdict(self)
        data["filters"] = {k: (v.isoformat() if isinstance(v, dt.date) else v)
                           for k, v in data["filters"].items()}
        if data["filters"]["region"] is None:
            # One region: the figures read as they did before regions existed.
            del data["filters"]["region"]
        for key in ("weekly", "weekly_delivered"):
            data[key] = [{"week_start": w["week_start"].isoformat(), "value": w["value"]}
                         for w in data[key]]
        return data


# Cache invalidation.

def _generation() -> int:
    return Generation.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def stats_invalidate() -> None:
    """Make every cached dashboard stale, and the rollups too: call it after changing pledges,
    purchases or BASTs without the services (they keep the rollups themselves).

    Inside a transaction the bump commits with the change, so no process can cache old
    figures under the new generation. The next dashboard computation rebuilds the rollups.
    """
    bump(stale=True)


def _cache_key(filters: Filters) -> str:
    lang = translation.get_language() or settings.LANGUAGE_CODE
    digest = hashlib.sha1(filters.cache_part().encode(), usedforsecurity=False).hexdigest()
    return f"ksbb:stats:dashboard:{_generation()}:{lang}:{digest}"


# Queries.

def _value_expression() -> ExpressionWrapper:
    big = BigIntegerField()
    goods = ExpressionWrapper(F("received_quantity") * F("item__value_rupiah"),
                              output_field=big)
    return ExpressionWrapper(
        Coalesce(F("received_amount"), Value(0), output_field=big)
        + Coalesce(goods, Value(0), output_field=big),
        output_field=big)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min),
                               timezone.get_default_timezone())


def collected_pledges(filters: Filters) -> QuerySet[Pledge]:
    """Received pledges (and later states) matching the filters, annotated with ``value``
    (rupiah) and ``regency`` (of the preferred area, else of the recipient the pledge is
    meant for, else the collaborator's area in the region given to, else that region's
    code: ``ksbb.stats.regionrows.pledge_place``)."""
    # No ordering: every query on this is an aggregate.
    qs = Pledge.objects.filter(state__in=PLEDGE_COUNTS_AS_RECEIVED).order_by().annotate(
        value=_value_expression(),
        regency=Substr(pledge_place_expression(), 1, REGENCY_CODE_LENGTH),
    )
    if filters.program:
        qs = qs.filter(program__code=filters.program)
    if filters.regency:
        qs = qs.filter(regency=filters.regency)
    if filters.start:
        qs = qs.filter(received_at__gte=_local_midnight(filters.start))
    if filters.end:
        qs = qs.filter(received_at__lt=_local_midnight(filters.end + dt.timedelta(days=1)))
    return qs


def _shares(rows: list[tuple[str, str, int]], total: int) -> list[Share]:
    """Merge rows with the same key, drop zeros, largest first, percent of ``total``."""
    merged: dict[str, tuple[str, int]] = {}
    for key, label, value in rows:
        old = merged.get(key, (label, 0))
        merged[key] = (old[0], old[1] + int(value or 0))
    shares = [Share(key, label, value, round(value * 100 / total, 1) if total else 0.0)
              for key, (label, value) in merged.items() if value]
    return sorted(shares, key=lambda s: (-s.value, s.key))


# Figures from the rollups (ksbb.stats.rollups; the same figures from the source tables:
# ksbb.stats.reference).

@dataclass(frozen=True)
class _Items:
    """The aid items by id: name, value in rupiah, and whether counted in packages."""

    names: dict[int, str]
    values: dict[int, int]
    packages: set[int]

    @classmethod
    def load(cls) -> _Items:
        rows = list(Item.objects.values_list("pk", "name", "value_rupiah", "unit"))
        return cls({pk: name for pk, name, _v, _u in rows},
                   {pk: int(v) for pk, _n, v, _u in rows},
                   {pk for pk, _n, _v, unit in rows if unit == Item.Unit.PAKET})

    def rupiah(self, item_id: int, quantity: int, amount: int = 0) -> int:
        return int(amount or 0) + int(quantity or 0) * self.values.get(item_id, 0)


def _grouped(qs: QuerySet[Any], dimension: str) -> list[tuple[Any, int, int, int]]:
    """Rows (dimension, item id, quantity, amount) of collected rollups."""
    return [(key, item_id, int(q or 0), int(a or 0)) for key, item_id, q, a in
            qs.values_list(dimension, "item_id").annotate(q=Sum("quantity"), a=Sum("amount"))
            .values_list(dimension, "item_id", "q", "a")]


def place_shares(values: dict[str, int], parts: int, total: int) -> list[Share]:
    """Shares of ``values`` (rupiah per recipient place, see rollups.recipient_place) summed
    at the level of ``parts`` code components (2 regency, 3 district, 4 village)."""
    summed: dict[str, int] = {}
    for place, value in values.items():
        key = (areacodes.ancestor_at(place, parts) if place else None) or UNKNOWN
        summed[key] = summed.get(key, 0) + value
    names = dict(Area.objects.filter(code__in=[k for k in summed if k != UNKNOWN])
                 .values_list("code", "name"))
    unknown = _("unknown")
    return _shares([(k, names[k], v) if k in names else (UNKNOWN, unknown, v)
                    for k, v in summed.items()], total)


def kind_counts(counts: dict[str, int], total: int) -> list[Share]:
    """Collaborators per kind (counts), with the kinds' labels."""
    labels = dict(CollaboratorKind.choices)
    unknown = _("unknown")
    return _shares([(k, str(labels[k]), n) if k in labels else (UNKNOWN, unknown, n)
                    for k, n in counts.items()], total)


def _distinct(role: str, filters: Filters, program_id: int | None) -> int:
    return _distinct_ids(role, filters, program_id).count()


def _distinct_ids(role: str, filters: Filters, program_id: int | None) -> QuerySet[Any]:
    """Collaborators (or recipients) with at least one day in the filters' period.

    ``Reach`` has the first and last day per entity, programme and regency: inside the
    period, or the period inside the span and one ``ReachDay`` in it (an index probe).
    """
    qs = Reach.objects.filter(role=role)
    if program_id is not None:
        qs = qs.filter(program_id=program_id)
    if filters.regency:
        qs = qs.filter(regency=filters.regency)
    if filters.region:
        qs = qs.filter(_region_q(filters))
    if filters.end:
        qs = qs.filter(first_day__lte=filters.end)
    if filters.start:
        qs = qs.filter(last_day__gte=filters.start)
    if filters.start and filters.end:
        inside = ReachDay.objects.filter(
            role=role, entity_id=OuterRef("entity_id"), program_id=OuterRef("program_id"),
            regency=OuterRef("regency"), day__gte=filters.start, day__lte=filters.end)
        qs = qs.filter(Q(first_day__gte=filters.start) | Q(last_day__lte=filters.end)
                       | Exists(inside))
    return qs.values_list("entity_id", flat=True).distinct()


def _weekly_from_days(days: dict[dt.date, int]) -> list[WeekTotal]:
    """Totals per ISO week (Monday, local date); weeks without pledges show 0."""
    if not days:
        return []
    first_day, last_day = min(days), max(days)
    first = first_day - dt.timedelta(days=first_day.weekday())
    count = (last_day - first).days // 7 + 1
    totals = [0] * count
    for day, value in days.items():
        totals[(day - first).days // 7] += value
    return [WeekTotal(first + dt.timedelta(weeks=n), totals[n]) for n in range(count)]


def _region_q(filters: Filters) -> Q:
    return regency_filter(filters.region) if filters.region else Q()


def _compute(filters: Filters, *, fresh: bool = True) -> Dashboard:
    if fresh:
        ensure_fresh()
    programs = {pk: (code, name) for pk, code, name in
                Program.objects.values_list("pk", "code", "name")}
    program_id = None
    if filters.program:
        program_id = next((pk for pk, (code, _n) in programs.items()
                           if code == filters.program), -1)
    where: dict[str, Any] = {}
    if program_id is not None:
        where["program_id"] = program_id
    if filters.regency:
        where["regency"] = filters.regency
    if filters.start:
        where["day__gte"] = filters.start
    if filters.end:
        where["day__lte"] = filters.end
    items = _Items.load()
    in_region = _region_q(filters)
    collected = CollectedDaily.objects.filter(in_region, **where).order_by()

    # One grouped query for the totals and every share; the days for the weekly totals.
    dims = ("regency", "collaborator_kind", "program_id", "item_id")
    rows = [(r, k, p, i, int(n or 0), items.rupiah(i, q, a), int(a or 0))
            for r, k, p, i, n, q, a in collected.values_list(*dims).annotate(
                n=Sum("pledges"), q=Sum("quantity"), a=Sum("amount")).values_list(
                *dims, "n", "q", "a")]
    total = sum(row[5] for row in rows)
    pledges = sum(row[4] for row in rows)

    codes = {r for r, *_rest in rows if r and len(r) == REGENCY_CODE_LENGTH}
    names = dict(Area.objects.filter(code__in=codes, level=Area.Level.REGENCY)
                 .values_list("code", "name"))
    unknown = _("unknown")
    by_regency = _shares([(r, names[r], v) if r in names else (UNKNOWN, unknown, v)
                          for r, _k, _p, _i, _n, v, _a in rows], total)
    labels = dict(CollaboratorKind.choices)
    by_kind = _shares([(k, str(labels[k]), v) if k in labels else (UNKNOWN, unknown, v)
                       for _r, k, _p, _i, _n, v, _a in rows], total)
    by_program = _shares([(*programs[p], v) for _r, _k, p, _i, _n, v, _a in rows], total)

    money = sum(a for _r, _k, _p, i, _n, _v, a in rows if i == NO_ITEM)
    item_rows = [(str(i), items.names.get(i, ""), v)
                 for _r, _k, _p, i, _n, v, _a in rows if i != NO_ITEM]
    spent = 0
    for i, a in FundedDaily.objects.filter(in_region, **where).order_by().values_list(
            "item_id").annotate(a=Sum("amount")).values_list("item_id", "a"):
        item_rows.append((str(i), items.names.get(i, ""), int(a or 0)))
        spent += int(a or 0)
    item_rows.append((MONEY_UNSPENT, _("money not yet spent on goods"), money - spent))

    days: dict[dt.date, int] = {}
    for day, i, q, a in _grouped(collected, "day"):
        days[day] = days.get(day, 0) + items.rupiah(i, q, a)

    delivered = DeliveredDaily.objects.filter(in_region, **where).order_by().values_list(
        "recipient_kind", "item_id", "area").annotate(d=Sum("deliveries"), q=Sum("quantity"))
    # Translated once, not per row: at a million deliveries the rows are tens of thousands.
    kinds = {kind: str(label) for kind, label in Recipient.Kind.choices}
    deliveries = packages = 0
    kind_values: list[tuple[str, str, int]] = []
    delivered_items: list[tuple[str, str, int]] = []
    places: dict[str, int] = {}
    for kind, i, place, d, q in delivered.values_list("recipient_kind", "item_id", "area",
                                                      "d", "q"):
        deliveries += int(d or 0)
        if i in items.packages:
            packages += int(q or 0)
        value = items.rupiah(i, q)
        kind_values.append((kind, kinds.get(kind, kind), value))
        if i != NO_ITEM:
            delivered_items.append((str(i), items.names.get(i, ""), value))
        places[place] = places.get(place, 0) + value
    delivered_value = sum(v for _k, _l, v in kind_values)
    delivered_days: dict[dt.date, int] = {}
    for day, q in DeliveredDaily.objects.filter(
            in_region, **where, item_id__in=items.packages).order_by().values_list(
            "day").annotate(q=Sum("quantity")).values_list("day", "q"):
        delivered_days[day] = delivered_days.get(day, 0) + int(q or 0)

    collaborator_ids = list(_distinct_ids(Role.COLLABORATOR, filters, program_id))
    profile_kinds = dict(CollaboratorProfile.objects.filter(
        organization_id__in=collaborator_ids).values_list("organization_id", "collaborator_kind"))
    kind_count: dict[str, int] = {}
    for pk in collaborator_ids:
        kind_key = profile_kinds.get(pk, UNKNOWN)
        kind_count[kind_key] = kind_count.get(kind_key, 0) + 1

    return Dashboard(
        filters=filters,
        total_collected=total,
        collaborators=len(collaborator_ids),
        pledges=pledges,
        deliveries=deliveries,
        packages_delivered=packages,
        recipients_reached=_distinct(Role.RECIPIENT, filters, program_id),
        by_regency=by_regency,
        by_collaborator_kind=by_kind,
        by_program=by_program,
        by_item=_shares(item_rows, total),
        by_recipient_kind=_shares(kind_values, delivered_value),
        weekly=_weekly_from_days(days),
        delivered_value=delivered_value,
        delivered_by_regency=place_shares(places, 2, delivered_value),
        delivered_by_district=place_shares(places, 3, delivered_value),
        delivered_by_village=place_shares(places, 4, delivered_value),
        delivered_by_item=_shares(delivered_items, delivered_value),
        collaborators_by_kind=kind_counts(kind_count, len(collaborator_ids)),
        weekly_delivered=_weekly_from_days(delivered_days),
    )


def dashboard(filters: Filters | None = None, *, use_cache: bool = True,
              in_request: bool = False) -> Dashboard:
    """The dashboard's figures for ``filters``, from the cache while nothing changed.

    ``in_request``: a web or API request asks. When a change bypassed the services (the
    rollups are stale), a request never rebuilds: it queues the rebuild for the task worker
    and serves the last figures computed for these filters (or, the first time, those of the
    rollups as they are). Other callers (commands, open data, tests) rebuild first.
    """
    filters = filters or Filters()
    if not use_cache:
        return _compute(filters)
    key = _cache_key(filters)
    result = cache.get(key)
    if result is None:
        # One computation at a time per process: when the cache is cold, the threads of a
        # busy worker would otherwise all compute the same seconds-long figures at once.
        with _COMPUTE_LOCK:
            result = cache.get(key)
            if result is None:
                result = _compute_now(filters, key, in_request=in_request)
    return result


def _last_key(key: str) -> str:
    return "ksbb:stats:dashboard:last:" + key.split(":", 4)[-1]


def _compute_now(filters: Filters, key: str, *, in_request: bool) -> Dashboard:
    if in_request and is_stale():
        rebuild_in_background()
        result = cache.get(_last_key(key))
        if result is None:
            result = _compute(filters, fresh=False)
    else:
        result = _compute(filters)
        cache.set(_last_key(key), result, None)
    cache.set(key, result, CACHE_SECONDS)
    return result
