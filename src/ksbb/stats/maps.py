"""The coverage map of the public dashboard: assessed need against what was delivered
(signed BASTs in force), per child area of the area looked at, down to the recipients (RWs
and institutions) of a village. Boundaries: ksbb.stats.boundaries (shipped with KSBB).

Need is the assessed quantity of the needs in open assessment rounds; delivered is what the
BASTs in force handed over against allocations of those same needs, so that both count the
same things. Cached per generation and language like the dashboard.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import translation

from ksbb.areas.models import Area

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


def _within(prefix: str, code: str | None) -> Q:
    if code is None:
        return Q()
    return Q(**{f"{prefix}_id": code}) | Q(**{f"{prefix}__code__startswith": f"{code}."})


def _sources(code: str | None, program: str | None) -> tuple[QuerySet[Any], QuerySet[Any]]:
    from ksbb.needs.models import AssessmentRound, Need
    from ksbb.stats.reference import effective_handover_lines

    needs = Need.objects.filter(round__state=AssessmentRound.State.OPEN).filter(
        _within("recipient__area", code)).order_by()
    lines = effective_handover_lines().filter(
        delivery_line__allocation__need__round__state=AssessmentRound.State.OPEN).filter(
        _within("handover__delivery__recipient__area", code)).order_by()
    if program:
        needs = needs.filter(round__program__code=program)
        lines = lines.filter(delivery_line__allocation__need__round__program__code=program)
    return needs, lines


def _compute(area: Area | None, program: str | None) -> CoverageMap:
    from ksbb.needs.models import Recipient

    code = area.code if area else None
    needs, lines = _sources(code, program)
    crumbs: list[Crumb] = []
    node = area
    while node is not None:
        crumbs.append(Crumb(node.code, node.name))
        node = node.parent
    total_need = int(needs.aggregate(v=Sum("quantity"))["v"] or 0)
    total_done = int(lines.aggregate(v=Sum("quantity"))["v"] or 0)
    rows: list[MapRow] = []
    at_village = area is not None and area.level >= Area.Level.VILLAGE
    if at_village:
        need_by = dict(needs.values_list("recipient_id").annotate(v=Sum("quantity")))
        done_by = dict(lines.values_list("handover__delivery__recipient_id").annotate(
            v=Sum("quantity")))
        recipients = Recipient.objects.filter(pk__in=set(need_by) | set(done_by)).filter(
            Q(kind=Recipient.Kind.RW) | Q(is_verified=True)).select_related("area")
        for r in recipients:
            need, done = int(need_by.get(r.pk) or 0), int(done_by.get(r.pk) or 0)
            rows.append(MapRow(r.area_id, str(r), need, done, _percent(done, need),
                               recipient_id=r.pk, kind=r.kind))
        rows.sort(key=lambda r: (r.kind != Recipient.Kind.RW, r.code, r.name))
    else:
        children = (Area.objects.filter(parent=area) if area
                    else Area.objects.filter(level=Area.Level.REGENCY))
        length = len(children.values_list("code", flat=True).first() or "")
        need_by, done_by = {}, {}
        if length:
            prefix = Substr("recipient__area_id", 1, length)
            need_by = dict(needs.annotate(p=prefix).values_list("p").annotate(
                v=Sum("quantity")))
            prefix = Substr("handover__delivery__recipient__area_id", 1, length)
            done_by = dict(lines.annotate(p=prefix).values_list("p").annotate(
                v=Sum("quantity")))
        names = dict(children.filter(code__in=set(need_by) | set(done_by)).values_list(
            "code", "name"))
        with_children = set(Area.objects.filter(parent_id__in=names).values_list(
            "parent_id", flat=True).distinct())
        for child in sorted(names):
            need, done = int(need_by.get(child) or 0), int(done_by.get(child) or 0)
            rows.append(MapRow(child, names[child], need, done, _percent(done, need),
                               has_children=child in with_children
                               or (area is not None and area.level == Area.Level.DISTRICT)))
    return CoverageMap(area=code, area_name=area.name if area else "", program=program,
                       recipients=at_village, need=total_need, delivered=total_done,
                       percent=_percent(total_done, total_need), breadcrumbs=crumbs[::-1],
                       rows=rows)


def coverage_map(area: Area | None = None, *, program: str | None = None) -> CoverageMap:
    """Need against delivered per child area of ``area`` (its recipients for a village)."""
    from ksbb.stats.selectors import _generation

    lang = translation.get_language() or "id"
    key = f"ksbb:stats:map:{_generation()}:{lang}:{area.code if area else ''}:{program or ''}"
    result = cache.get(key)
    if result is None:
        result = _compute(area, program)
        cache.set(key, result, CACHE_SECONDS)
    return result
