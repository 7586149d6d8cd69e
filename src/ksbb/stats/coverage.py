"""Need against coverage by area, for the public page ``/coverage/`` and the API at
``/api/v1/stats/coverage/`` (one source of truth: :func:`coverage`).

The figures are the ledger's (``ksbb.stats.ledger``): need in each item's current round,
covered = received for the place and not yet allocated + allocated (net of returns),
delivered = on the BASTs in force; summed per child area of the area looked at.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.stats import ledger


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    level: int
    need: int
    covered: int
    ratio: float | None  # covered / need, 0..1 (4 decimals); None when there is no need
    percent: float | None  # the same in percent, one decimal
    has_children: bool = False
    delivered: int = 0
    promised: int = 0


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str


@dataclass(frozen=True)
class Coverage:
    area: str | None  # the area looked at (None: the top, regencies/cities)
    area_name: str
    program: str | None
    child_level: int | None  # level of the rows; None below RWs
    need: int  # in the whole area, also what is registered on the area itself
    covered: int
    ratio: float | None
    percent: float | None
    breadcrumbs: list[Crumb] = field(default_factory=list)
    rows: list[CoverageRow] = field(default_factory=list)
    delivered: int = 0
    promised: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _ratio(covered: int, need: int) -> tuple[float | None, float | None]:
    if not need:
        return None, None
    return round(covered / need, 4), round(covered * 100 / need, 1)


def coverage(area: Area | None = None, *, program: str | None = None) -> Coverage:
    """Need and coverage per child area of ``area`` (regencies/cities when None)."""
    scope = ledger.Scope(program=program, within=area.code if area else None)
    child_level = (area.level + 1 if area else Area.Level.REGENCY)
    cells = ledger.cells(scope)
    total = sum((c.figures for c in cells), ledger.Figures())
    by_child: dict[str, ledger.Figures] = {}
    child_level_out: int | None = None
    if child_level <= Area.Level.RW:
        child_level_out = child_level
        for c in cells:
            key = areacodes.ancestor_at(c.area, child_level)
            if key is not None:
                by_child[key] = by_child.get(key, ledger.Figures()) + c.figures
    shown = [c for c, f in by_child.items() if f.need or f.covered]
    children = (Area.objects.filter(parent=area) if area
                else Area.objects.filter(level=Area.Level.REGENCY))
    names = dict(children.filter(code__in=shown).values_list("code", "name"))
    with_children = set(Area.objects.filter(parent_id__in=names).values_list(
        "parent_id", flat=True).distinct())
    rows = []
    for code in sorted(names):
        f = by_child[code]
        rows.append(CoverageRow(code, names[code], child_level, f.need, f.covered,
                                *_ratio(f.covered, f.need), has_children=code in with_children,
                                delivered=f.delivered, promised=f.promised))
    crumbs = []
    node = area
    while node is not None:
        crumbs.append(Crumb(node.code, node.name))
        node = node.parent
    return Coverage(
        area=area.code if area else None, area_name=area.name if area else "",
        program=program, child_level=child_level_out, need=total.need,
        covered=total.covered, ratio=_ratio(total.covered, total.need)[0],
        percent=_ratio(total.covered, total.need)[1], breadcrumbs=crumbs[::-1], rows=rows,
        delivered=total.delivered, promised=total.promised)
