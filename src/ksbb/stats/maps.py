"""The coverage map of the public dashboard: assessed need against what was delivered
(signed BASTs in force), per child area of the area looked at, down to the recipients (RWs
and institutions) of a village. Boundaries: ksbb.stats.boundaries (shipped with KSBB).

The figures are the ledger's (ksbb.stats.ledger): need in each item's current round,
delivered on the BASTs in force, summed over the recipients inside each area. Cached per
generation and language like the dashboard.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import translation

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.needs.models import Recipient
from ksbb.stats import ledger
from ksbb.stats.selectors import _generation

CACHE_SECONDS = 600


@dataclass(frozen=True)
class MapRow:
    code: str  # area code; a recipient's own area code below a village
    name: str
    need: int
    delivered: int
    percent: float | None  # delivered / need, one decimal; None without need
    has_children: bool = False
    recipient_id: int | None = None
    kind: str = ""  # recipients: "rw" or an institution kind


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str


@dataclass(frozen=True)
class CoverageMap:
    area: str | None  # None: the top (regencies/cities)
    area_name: str
    program: str | None
    recipients: bool  # rows are the recipients of a village
    need: int
    delivered: int
    percent: float | None
    breadcrumbs: list[Crumb] = field(default_factory=list)
    rows: list[MapRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _percent(done: int, need: int) -> float | None:
    return round(done * 100 / need, 1) if need else None


def _compute(area: Area | None, program: str | None) -> CoverageMap:
    code = area.code if area else None
    cells = ledger.cells(ledger.Scope(program=program, within=code))
    crumbs: list[Crumb] = []
    node = area
    while node is not None:
        crumbs.append(Crumb(node.code, node.name))
        node = node.parent
    total = sum((c.figures for c in cells), ledger.Figures())
    rows: list[MapRow] = []
    at_village = area is not None and area.level >= Area.Level.VILLAGE
    if at_village:
        by_recipient: dict[int, ledger.Figures] = {}
        for c in cells:
            if c.recipient_id is not None:
                by_recipient[c.recipient_id] = (by_recipient.get(c.recipient_id, ledger.Figures())
                                                + c.figures)
        recipients = Recipient.objects.filter(pk__in=by_recipient).filter(
            Q(kind=Recipient.Kind.RW) | Q(is_verified=True)).select_related("area")
        for r in recipients:
            f = by_recipient[r.pk]
            if f.need or f.delivered:
                rows.append(MapRow(r.area_id, str(r), f.need, f.delivered,
                                   _percent(f.delivered, f.need), recipient_id=r.pk,
                                   kind=r.kind))
        rows.sort(key=lambda r: (r.kind != Recipient.Kind.RW, r.code, r.name))
    else:
        level = area.level + 1 if area else Area.Level.REGENCY
        by_child: dict[str, ledger.Figures] = {}
        for c in cells:
            key = areacodes.ancestor_at(c.area, level)
            if key is not None and c.recipient_id is not None:
                by_child[key] = by_child.get(key, ledger.Figures()) + c.figures
        shown = [k for k, f in by_child.items() if f.need or f.delivered]
        names = dict(Area.objects.filter(code__in=shown).values_list("code", "name"))
        for child in sorted(names):
            f = by_child[child]
            rows.append(MapRow(child, names[child], f.need, f.delivered,
                               _percent(f.delivered, f.need), has_children=True))
    return CoverageMap(area=code, area_name=area.name if area else "", program=program,
                       recipients=at_village, need=total.need, delivered=total.delivered,
                       percent=_percent(total.delivered, total.need), breadcrumbs=crumbs[::-1],
                       rows=rows)


def coverage_map(area: Area | None = None, *, program: str | None = None) -> CoverageMap:
    """Need against delivered per child area of ``area`` (its recipients for a village)."""
    lang = translation.get_language() or "id"
    key = f"ksbb:stats:map:{_generation()}:{lang}:{area.code if area else ''}:{program or ''}"
    result = cache.get(key)
    if result is None:
        result = _compute(area, program)
        cache.set(key, result, CACHE_SECONDS)
    return result
