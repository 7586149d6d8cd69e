"""Reads about recipients and needs: what each user may see, and coverage per area."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from ksbb.accounts.models import Role
from ksbb.accounts.selectors import scope_of
from ksbb.allocation.models import Allocation
from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.needs.models import AssessmentRound, Need, Recipient
from ksbb.regions.selectors import actor_regions_filter

_GOVERNMENT = {Role.PLATFORM_ADMIN, Role.ASSESSOR}


def is_government(user: Any) -> bool:
    return bool(scope_of(user).roles & _GOVERNMENT)


def recipients_visible_to(user: Any) -> QuerySet[Recipient]:
    """Everyone sees RWs and verified institutions; the government those of its region,
    unverified ones too."""
    qs = Recipient.objects.select_related("area")
    if is_government(user):
        return qs.filter(actor_regions_filter(user, area="area__code"))
    return qs.filter(Q(kind=Recipient.Kind.RW) | Q(is_verified=True))


def rounds_visible_to(user: Any) -> QuerySet[AssessmentRound]:
    if not is_government(user):
        return AssessmentRound.objects.none()
    return AssessmentRound.objects.filter(actor_regions_filter(user, region="region"))


def needs_visible_to(user: Any) -> QuerySet[Need]:
    """Needs are government data (they describe poor households per RW)."""
    if not is_government(user):
        return Need.objects.none()
    return Need.objects.select_related("recipient", "round", "item").filter(
        actor_regions_filter(user, region="round__region"))


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    level: int
    need: int
    pledged: int
    covered: int

    @property
    def ratio(self) -> float:
        return self.covered / self.need if self.need else 0.0

    @property
    def has_children(self) -> bool:
        return self.level < Area.Level.RW

    def as_map(self) -> dict[str, Any]:
        """Map-ready: one feature's properties, joined to geometry by ``code``."""
        data = asdict(self)
        data["ratio"] = float(f"{self.ratio:.4f}")
        return data


def need_coverage_by_area(
    round: AssessmentRound, level: int, *, within: str | None = None,
    item: str | None = None,
) -> list[CoverageRow]:
    """Total need per area of ``level`` (2 regency .. 5 RW), optionally inside ``within``.

    Only areas with a need appear. An institution registered on a village counts in its
    village and above, not in any RW. ``covered`` is, per need, what the recipient has
    received of the item (active allocations from any round, see
    ksbb.allocation.selectors), capped at the need; ``pledged`` stays 0 for now.
    """
    level = int(level)
    if not Area.Level.PROVINCE <= level <= Area.Level.RW:
        raise ValueError(f"level {level} is outside 1-5")
    needs = Need.objects.filter(round=round)
    if item:
        needs = needs.filter(item__code=item)
    if within:
        needs = needs.filter(Q(recipient__area_id=within)
                             | Q(recipient__area__code__startswith=f"{within}."))
    used: dict[tuple[int, int], int] = {}
    for recipient_id, item_id, total in Allocation.objects.filter(
            state=Allocation.State.ACTIVE, item__program_id=round.program_id).values_list(
                "recipient_id", "item_id").annotate(
                    total=Sum(F("quantity") - F("returned_quantity"))).order_by():
        used[(recipient_id, item_id)] = total or 0
    totals: dict[str, int] = {}
    covered: dict[str, int] = {}
    for area_code, recipient_id, item_id, quantity in needs.values_list(
            "recipient__area_id", "recipient_id", "item_id", "quantity").order_by():
        code = areacodes.ancestor_at(area_code, level)
        if code is None:
            continue
        totals[code] = totals.get(code, 0) + quantity
        covered[code] = covered.get(code, 0) + min(quantity,
                                                   used.get((recipient_id, item_id), 0))
    names = dict(Area.objects.filter(code__in=totals).values_list("code", "name"))
    return [
        CoverageRow(code=code, name=names.get(code, code), level=level, need=totals[code],
                    pledged=0, covered=covered[code])
        for code in sorted(totals)
    ]
