"""Build the engine's problem for a round from the database.

Supplies: the goods pledges (state received or allocated) and the purchases of the round
programme's items with something left (see selectors). Needs: the round's needs of
verified recipients with something left. Engine ids are ``P<pk>`` for a pledge,
``B<pk>`` for a purchase (bought goods) and ``N<pk>`` for a need, so that each plan line
maps back to one supply and one need.

Areas:
* a pledge's area is its preferred area, else the collaborator organisation's area, else
  the aggregator's area (else the province of most of the round's needs);
* ``restrict_to`` is the pledge's preferred area when the donor set one: "donations from
  an area usually go to the same area" is the donor's condition, not a hint, so the
  engine never sends such a pledge outside it;
* a pledge made for one recipient is placed and restricted to that recipient's area (the
  engine may still serve another recipient registered on the same area, rarely: an
  institution on the same RW);
* a purchase is placed in its aggregator's area, unrestricted.

Regions: a round belongs to one region (ksbb.regions); only the pledges given to that
region, and the purchases bought with them, are offered to its needs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from ksbb.allocation.selectors import (
    needs_remaining,
    used_by_pledge,
    used_by_purchase,
)
from ksbb.core import areacodes
from ksbb.donations.models import PLEDGE_ALLOCATABLE, Pledge, Purchase
from ksbb.needs.models import AssessmentRound, Need
from ksbb.regions.selectors import record_filter, region_key_of, region_row


@dataclass
class BuiltProblem:
    data: dict[str, Any]  # the engine's input (load_problem)
    pledges: dict[str, Pledge] = field(default_factory=dict)
    purchases: dict[str, Purchase] = field(default_factory=dict)
    needs: dict[str, Need] = field(default_factory=dict)
    need_remaining: dict[int, int] = field(default_factory=dict)  # by need pk


def pledge_area(pledge: Pledge, fallback: str) -> tuple[str, str | None]:
    """(area, restrict_to) of a goods pledge for the engine."""
    if pledge.recipient is not None:
        code = pledge.recipient.area_id
        return code, code
    if pledge.preferred_area_id:
        return pledge.preferred_area_id, pledge.preferred_area_id
    area = pledge.collaborator.area_id or pledge.aggregator.area_id or fallback
    return area, None


def build_problem(rnd: AssessmentRound) -> BuiltProblem:
    needs = list(Need.objects.filter(round=rnd, recipient__is_verified=True)
                 .select_related("recipient", "item").order_by("pk"))
    remaining = needs_remaining(needs)
    provinces = Counter(areacodes.province_of(n.recipient.area_id) for n in needs)
    fallback = (provinces.most_common(1)[0][0] if provinces
                else settings.KSBB_DEFAULT_PROVINCE)
    built = BuiltProblem(data={"pledges": [], "needs": []}, need_remaining=remaining)

    for need in needs:
        if remaining[need.pk] <= 0:
            continue
        key = f"N{need.pk}"
        built.needs[key] = need
        built.data["needs"].append({
            "recipient": key, "item": need.item.code, "quantity": remaining[need.pk],
            "priority": need.priority, "area": need.recipient.area_id})

    region = region_row(region_key_of(rnd))
    pledges = list(Pledge.objects.filter(
        record_filter(region, "region"), kind=Pledge.Kind.GOODS, state__in=PLEDGE_ALLOCATABLE,
        item__program_id=rnd.program_id).select_related(
            "item", "collaborator", "aggregator", "recipient").order_by("pk"))
    used = used_by_pledge(p.pk for p in pledges)
    for pledge in pledges:
        left = (pledge.received_quantity or 0) - used.get(pledge.pk, 0)
        if left <= 0:
            continue
        key = f"P{pledge.pk}"
        assert pledge.item is not None  # goods
        area, restrict_to = pledge_area(pledge, fallback)
        built.pledges[key] = pledge
        built.data["pledges"].append({"id": key, "item": pledge.item.code, "quantity": left,
                                      "area": area, "restrict_to": restrict_to})

    in_region = Purchase.objects.filter(record_filter(region, "fundings__pledge__region"))
    purchases = list(Purchase.objects.filter(item__program_id=rnd.program_id,
                                             pk__in=in_region.values("pk"))
                     .select_related("item", "aggregator").order_by("pk"))
    used = used_by_purchase(p.pk for p in purchases)
    for purchase in purchases:
        left = purchase.quantity - used.get(purchase.pk, 0)
        if left <= 0:
            continue
        key = f"B{purchase.pk}"
        built.purchases[key] = purchase
        built.data["pledges"].append({
            "id": key, "item": purchase.item.code, "quantity": left,
            "area": purchase.aggregator.area_id or fallback, "restrict_to": None})
    return built
