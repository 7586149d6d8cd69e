"""The national roll-up of every region (which rollup rows belong to which region:
``ksbb.stats.regionrows``).

The rollups (``ksbb.stats.rollups``) place every figure at a regency/city code (where a
pledge counts: ``ksbb.stats.regionrows.pledge_place``; a delivery counts at the regency of
the recipient). A region is a province or a regency/city, so a regency lies wholly inside one
region: the most specific region containing it (``ksbb.regions.selectors``), the default
region when none does (and for "").

So the regions partition the rollup rows, and the national roll-up (:func:`national`) is, by
construction, the sum of the regions' dashboards: it reads the same figures grouped by region
instead of filtered to one, from the summary rollups (``CollectedTotal``, ``DeliveredTotal``:
the daily rows summed over days and places, kept by the same calls), so its cost does not
grow with the deliveries. The tests hold it to that (property tests over random flows).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q, Sum
from django.db.models.functions import Substr
from django.utils import translation

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.donations.models import Program
from ksbb.needs.models import Need
from ksbb.regions.models import Region
from ksbb.regions.selectors import region_table
from ksbb.stats import ledger
from ksbb.stats.models import NO_ITEM, CollectedTotal, DeliveredTotal
from ksbb.stats.pagecache import current_generation
from ksbb.stats.regionrows import (
    memo_table_key,
    regency_filter,
    region_of_regency,
    table_key,
)
from ksbb.stats.rollups import ensure_fresh
from ksbb.stats.selectors import _Items

CACHE_SECONDS = 600
REGENCY_LENGTH = len("31.71")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class RegionTotals:
    code: str
    name: str
    slug: str
    is_default: bool
    total_collected: int = 0  # rupiah
    pledges: int = 0
    deliveries: int = 0
    packages_delivered: int = 0
    delivered_value: int = 0  # rupiah


@dataclass(frozen=True)
class ProgramTotals:
    code: str
    name: str
    total_collected: int = 0
    delivered_value: int = 0


@dataclass(frozen=True)
class PlaceRow:
    """A province or a regency/city on the national map: need and delivered in the items'
    units (as the dashboard's map), and the region it belongs to."""

    code: str
    name: str
    need: int
    delivered: int
    percent: float | None
    region: str  # the region's code ("" when the place lies in no region's own area)


@dataclass(frozen=True)
class National:
    program: str | None
    total_collected: int
    pledges: int
    deliveries: int
    packages_delivered: int
    delivered_value: int
    regions: list[RegionTotals] = field(default_factory=list)
    programs: list[ProgramTotals] = field(default_factory=list)
    province: str | None = None  # the map's rows are this province's regencies
    places: list[PlaceRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _percent(done: int, need: int) -> float | None:
    return round(done * 100 / need, 1) if need else None


def _need_by_place(length: int, program: str | None, province: str | None) -> dict[str, int]:
    """Assessed need (each item's current round, as the ledger defines it) per province
    (``length`` 2) or regency (5) of the recipients.

    One pass over the needs: grouped by item, round and place, which also tells which rounds
    assessed which item, so the current rounds need no scan of their own. Over the whole
    nation even for one province: the current round is the nation's.
    """
    needs = Need.objects.order_by()
    if program:
        needs = needs.filter(item__program__code=program)
    rows = list(needs.annotate(place=Substr("recipient__area_id", 1, length)).values_list(
        "item_id", "round_id", "place").annotate(v=Sum("quantity")).values_list(
        "item_id", "round_id", "place", "v"))
    current = ledger.current_rounds_of((item_id, round_id) for item_id, round_id, _p, _v in rows)
    result: dict[str, int] = defaultdict(int)
    for item_id, round_id, place, value in rows:
        if current.get(item_id) != round_id or not place:
            continue
        if province and not place.startswith(f"{province}."):
            continue
        if length == 2 or place[REGENCY_LENGTH - 3:REGENCY_LENGTH - 2] == ".":
            result[place] += int(value or 0)
    return result


def _compute(program: str | None, province: str | None) -> National:
    ensure_fresh()
    table = region_table()
    regions = {r.code: r for r in Region.objects.all()}
    programs = {pk: (code, name) for pk, code, name in
                Program.objects.values_list("pk", "code", "name")}
    program_id = None
    if program:
        program_id = next((pk for pk, (code, _n) in programs.items() if code == program), -1)
    where = Q() if program_id is None else Q(program_id=program_id)
    items = _Items.load()
    owners: dict[str, str] = {}

    def owner_of(regency: str) -> str:
        # A few hundred regencies, each row's looked up once.
        if regency not in owners:
            owners[regency] = region_of_regency(regency, table).code
        return owners[regency]

    # The summary rollups: one row per programme, regency and item, however many days and
    # villages (they are the daily rollups summed, kept by the same calls).
    per_region: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    per_program: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for regency, program_pk, item_id, n, q, a in CollectedTotal.objects.filter(
            where).values_list("regency", "program_id", "item_id", "pledges", "quantity",
                               "amount"):
        value = items.rupiah(item_id, q, a)
        totals = per_region[owner_of(regency)]
        totals[0] += value
        totals[1] += int(n or 0)
        per_program[program_pk][0] += value
    delivered_place: dict[str, int] = defaultdict(int)
    for regency, program_pk, item_id, d, q in DeliveredTotal.objects.filter(
            where).values_list("regency", "program_id", "item_id", "deliveries", "quantity"):
        totals = per_region[owner_of(regency)]
        totals[2] += int(d or 0)
        if item_id in items.packages:
            totals[3] += int(q or 0)
        value = items.rupiah(item_id, q)
        totals[4] += value
        per_program[program_pk][1] += value
        if item_id != NO_ITEM and regency:
            delivered_place[regency] += int(q or 0)

    region_rows = []
    for row in table:
        region = regions.get(row.code)
        values = per_region.get(row.code, [0] * 5)
        region_rows.append(RegionTotals(
            row.code, region.name if region else row.code, region.slug if region else "",
            row.is_default, *values))
    region_rows.sort(key=lambda r: (not r.is_default, r.code))
    program_rows = sorted(
        (ProgramTotals(programs[pk][0], programs[pk][1], *values)
         for pk, values in per_program.items() if pk in programs and any(values)),
        key=lambda p: (-p.total_collected, p.code))

    # The map: provinces, or the regencies of one province.
    length = REGENCY_LENGTH if province else 2
    need = _need_by_place(length, program, province)
    done: dict[str, int] = defaultdict(int)
    for regency, quantity in delivered_place.items():
        if province and not regency.startswith(f"{province}."):
            continue
        done[regency[:length]] += quantity
    shown = sorted(code for code in set(need) | set(done) if need.get(code) or done.get(code))
    names = dict(Area.objects.filter(code__in=shown).values_list("code", "name"))
    places = []
    most_specific_first = sorted((r for r in table if r.pk is not None),
                                 key=lambda r: -len(r.code))
    for code in shown:
        owner = next((r for r in most_specific_first
                      if areacodes.is_within(code, r.code) or areacodes.is_within(r.code, code)),
                     None)
        places.append(PlaceRow(code, names.get(code, code), need.get(code, 0),
                               done.get(code, 0), _percent(done.get(code, 0),
                                                           need.get(code, 0)),
                               owner.code if owner else ""))
    return National(
        program=program,
        total_collected=sum(r.total_collected for r in region_rows),
        pledges=sum(r.pledges for r in region_rows),
        deliveries=sum(r.deliveries for r in region_rows),
        packages_delivered=sum(r.packages_delivered for r in region_rows),
        delivered_value=sum(r.delivered_value for r in region_rows),
        regions=region_rows, programs=program_rows, province=province, places=places)


def national(program: str | None = None, *, province: str | None = None,
             use_cache: bool = True) -> National:
    """Every region's figures side by side and their sum, by programme, and the national
    map (provinces; with ``province``, its regencies/cities). Cached per statistics
    generation, like the dashboard."""
    if not use_cache:
        return _compute(program, province)
    lang = translation.get_language() or "id"
    key = (f"ksbb:stats:national:{current_generation()}:{memo_table_key()}:{lang}:"
           f"{program or ''}:{province or ''}")
    result = cache.get(key)
    if result is None:
        with _LOCK:
            result = cache.get(key)
            if result is None:
                result = _compute(program, province)
                cache.set(key, result, CACHE_SECONDS)
    return result


__all__ = ["National", "PlaceRow", "ProgramTotals", "RegionTotals", "national", "regency_filter",
           "region_of_regency", "table_key"]
