"""Need against coverage by area, for the public page ``/coverage/`` and the API at
``/api/v1/stats/coverage/`` (one source of truth: :func:`coverage`).

Need is the assessed quantity of every need in an open assessment round (optionally of one
programme); covered is what active allocations for those needs give, net of returns
(``quantity - returned_quantity``). Both are summed per child area of the area looked at, in
a couple of aggregate queries grouped by the leading part of the recipient's area code.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Length, Substr

from ksbb.areas.models import Area


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

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _ratio(covered: int, need: int) -> tuple[float | None, float | None]:
    if not need:
        return None, None
    return round(covered / need, 4), round(covered * 100 / need, 1)


def _within(prefix: str, area: str | None) -> Q:
    if area is None:
        return Q()
    return Q(**{f"{prefix}_id": area}) | Q(**{f"{prefix}__code__startswith": f"{area}."})


def coverage(area: Area | None = None, *, program: str | None = None) -> Coverage:
    """Need and coverage per child area of ``area`` (regencies/cities when None)."""
    from ksbb.allocation.models import Allocation
    from ksbb.needs.models import AssessmentRound, Need

    needs: QuerySet[Need] = Need.objects.filter(
        round__state=AssessmentRound.State.OPEN).filter(
        _within("recipient__area", area.code if area else None)).order_by()
    allocations: QuerySet[Allocation] = Allocation.objects.filter(
        state=Allocation.State.ACTIVE, need__round__state=AssessmentRound.State.OPEN).filter(
        _within("recipient__area", area.code if area else None)).order_by()
    if program:
        needs = needs.filter(round__program__code=program)
        allocations = allocations.filter(need__round__program__code=program)
    effective = Sum(F("quantity") - F("returned_quantity"))

    child_level = (area.level + 1 if area else Area.Level.REGENCY)
    if child_level > Area.Level.RW:
        children: QuerySet[Area] = Area.objects.none()
        child_level_out: int | None = None
    else:
        children = (Area.objects.filter(parent=area) if area
                    else Area.objects.filter(level=Area.Level.REGENCY))
        child_level_out = child_level
    # Kemendagri codes of one level have one length; group by each length found, to be safe.
    lengths = sorted(set(children.annotate(n=Length("code")).values_list("n", flat=True)))
    need_by: dict[str, int] = {}
    covered_by: dict[str, int] = {}
    for length in lengths:
        prefix = Substr("recipient__area_id", 1, length)
        for code, value in needs.annotate(prefix=prefix).values("prefix").annotate(
                v=Sum("quantity")).values_list("prefix", "v"):
            need_by[code] = need_by.get(code, 0) + int(value or 0)
        for code, value in allocations.annotate(prefix=prefix).values("prefix").annotate(
                v=effective).values_list("prefix", "v"):
            covered_by[code] = covered_by.get(code, 0) + int(value or 0)
    shown = [c for c in set(need_by) | set(covered_by) if need_by.get(c) or covered_by.get(c)]
    names = dict(children.filter(code__in=shown).values_list("code", "name"))
    with_children = set(Area.objects.filter(parent_id__in=names).values_list(
        "parent_id", flat=True).distinct())
    rows = []
    for code in sorted(names):
        need, covered = need_by.get(code, 0), covered_by.get(code, 0)
        rows.append(CoverageRow(code, names[code], child_level, need, covered,
                                *_ratio(covered, need), has_children=code in with_children))
    total_need = int(needs.aggregate(v=Sum("quantity"))["v"] or 0)
    total_covered = int(allocations.aggregate(v=effective)["v"] or 0)
    crumbs = []
    node = area
    while node is not None:
        crumbs.append(Crumb(node.code, node.name))
        node = node.parent
    return Coverage(
        area=area.code if area else None, area_name=area.name if area else "",
        program=program, child_level=child_level_out, need=total_need,
        covered=total_covered, ratio=_ratio(total_covered, total_need)[0],
        percent=_ratio(total_covered, total_need)[1], breadcrumbs=crumbs[::-1], rows=rows)

