"""Reads for allocation: what is left of each supply and of each need, and who sees what.

Definitions (the services and the engine's problem builder use exactly these):

* The *effective* quantity of an allocation is ``quantity - returned_quantity``; only
  allocations in state ``active`` count.
* What is left of a **goods pledge** in state ``received`` or ``allocated`` is its
  ``received_quantity`` minus the effective quantity of its active allocations. A pledge in
  any other state (submitted, distributed, completed, cancelled, rejected) and a money
  pledge have nothing left to allocate (money is allocated through purchases).
* What is left of a **purchase** is its ``quantity`` minus the effective quantity of its
  active allocations.
* What is left of a **need** (round R, recipient r, item i) is its ``quantity`` minus the
  effective quantity of *every* active allocation to recipient r of item i, whatever round,
  run or supply it came from, never below zero. A need's quantity is the recipient's
  assessed need of the item (a level, not an increment): what the recipient already
  received of that item counts against it, so a recipient never gets more of an item than
  its assessed need across all pledges, rounds and programmes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum

from ksbb.accounts.models import Role
from ksbb.accounts.selectors import scope_of
from ksbb.allocation.models import Allocation, AllocationRun
from ksbb.donations.models import PLEDGE_ALLOCATABLE, Pledge, Purchase
from ksbb.needs.models import Need
from ksbb.regions.selectors import actor_regions_filter, record_filter, region_row

_EFFECTIVE = ExpressionWrapper(F("quantity") - F("returned_quantity"),
                               output_field=IntegerField())


def _active() -> QuerySet[Allocation]:
    return Allocation.objects.filter(state=Allocation.State.ACTIVE)


def used_by_pledge(pledge_ids: Iterable[int]) -> dict[int, int]:
    rows = _active().filter(pledge_id__in=list(pledge_ids)).values("pledge_id").annotate(
        used=Sum(_EFFECTIVE)).order_by()
    return {r["pledge_id"]: r["used"] or 0 for r in rows}


def used_by_purchase(purchase_ids: Iterable[int]) -> dict[int, int]:
    rows = _active().filter(purchase_id__in=list(purchase_ids)).values(
        "purchase_id").annotate(used=Sum(_EFFECTIVE)).order_by()
    return {r["purchase_id"]: r["used"] or 0 for r in rows}


def used_by_recipient_item(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Effective allocated quantity per (recipient id, item id), across all rounds."""
    pairs = set(pairs)
    if not pairs:
        return {}
    recipients = {r for r, _i in pairs}
    items = {i for _r, i in pairs}
    rows = _active().filter(recipient_id__in=recipients, item_id__in=items).values(
        "recipient_id", "item_id").annotate(used=Sum(_EFFECTIVE)).order_by()
    found = {(r["recipient_id"], r["item_id"]): r["used"] or 0 for r in rows}
    return {pair: found.get(pair, 0) for pair in pairs}


def pledge_remaining(pledge: Pledge) -> int:
    if pledge.kind != Pledge.Kind.GOODS or pledge.state not in PLEDGE_ALLOCATABLE:
        return 0
    return (pledge.received_quantity or 0) - used_by_pledge([pledge.pk]).get(pledge.pk, 0)


def purchase_remaining(purchase: Purchase) -> int:
    return purchase.quantity - used_by_purchase([purchase.pk]).get(purchase.pk, 0)


def supply_remaining(supply: Pledge | Purchase) -> int:
    if isinstance(supply, Pledge):
        return pledge_remaining(supply)
    return purchase_remaining(supply)


def need_remaining(need: Need) -> int:
    used = used_by_recipient_item([(need.recipient_id, need.item_id)])
    return max(0, need.quantity - used[(need.recipient_id, need.item_id)])


def needs_remaining(needs: Iterable[Need]) -> dict[int, int]:
    needs = list(needs)
    used = used_by_recipient_item((n.recipient_id, n.item_id) for n in needs)
    return {n.pk: max(0, n.quantity - used[(n.recipient_id, n.item_id)]) for n in needs}


def supplies_left(program_id: int, *, region_key: int | None
                  ) -> list[tuple[Pledge | Purchase, int]]:
    """The received goods pledges and the purchases of a programme that have something left
    to allocate, with what is left (the manual allocation form offers them by name): those
    given to the region with primary key ``region_key`` (None: the default region), the
    only ones its rounds may use."""
    region = region_row(region_key)
    pledges = list(Pledge.objects.filter(
        record_filter(region, "region"), kind=Pledge.Kind.GOODS, state__in=PLEDGE_ALLOCATABLE,
        item__program_id=program_id).select_related("item", "collaborator").order_by("pk"))
    # A purchase is of the region of the pledges that paid for it (one region).
    purchases = list(Purchase.objects.filter(
        record_filter(region, "fundings__pledge__region"), item__program_id=program_id)
        .distinct().select_related("item", "aggregator").order_by("pk"))
    used_p = used_by_pledge(p.pk for p in pledges)
    used_b = used_by_purchase(b.pk for b in purchases)
    found: list[tuple[Pledge | Purchase, int]] = []
    for pledge in pledges:
        left = (pledge.received_quantity or 0) - used_p.get(pledge.pk, 0)
        if left > 0:
            found.append((pledge, left))
    for purchase in purchases:
        left = purchase.quantity - used_b.get(purchase.pk, 0)
        if left > 0:
            found.append((purchase, left))
    return found


# Who sees what ---------------------------------------------------------------------------

def _is_government(user: Any) -> bool:
    return bool(scope_of(user).roles & {Role.PLATFORM_ADMIN, Role.ASSESSOR})


def runs_visible_to(user: Any) -> QuerySet[AllocationRun]:
    """Runs are the government's working papers."""
    if not _is_government(user):
        return AllocationRun.objects.none()
    return AllocationRun.objects.select_related("round", "created_by", "approved_by").filter(
        actor_regions_filter(user, region="round__region"))


def allocations_visible_to(user: Any) -> QuerySet[Allocation]:
    """The government sees all; aggregator staff the allocations of their organisation's
    pledges and purchases; collaborators those of their own pledges."""
    qs = Allocation.objects.select_related("item", "recipient", "need", "pledge", "purchase")
    if _is_government(user):
        return qs.filter(actor_regions_filter(user, area="recipient__area__code"))
    scope = scope_of(user)
    aggregators = [o for o, r in scope.org_roles if r == Role.AGGREGATOR_STAFF]
    collaborators = [o for o, r in scope.org_roles if r == Role.COLLABORATOR]
    if not aggregators and not collaborators:
        return qs.none()
    return qs.filter(Q(pledge__aggregator_id__in=aggregators)
                     | Q(purchase__aggregator_id__in=aggregators)
                     | Q(pledge__collaborator_id__in=collaborators))


# A run's totals -------------------------------------------------------------------------

def run_summary(run: AllocationRun) -> dict[str, Any] | None:
    """The run's summary with every "proposed" figure summed from its lines as they are now
    (the assessor edits lines; the engine's summary is from before): one definition for the
    review page and the API. Fair level, lowest coverage and needs at zero stay the
    engine's, as computed for its proposal."""
    if not run.summary:
        return run.summary
    per_group: dict[tuple[str, int], int] = {}
    for item, priority, quantity in run.lines.values_list(
            "need__item__code", "need__priority").annotate(q=Sum("quantity")).order_by():
        key = (item, int(priority))
        per_group[key] = per_group.get(key, 0) + int(quantity or 0)
    summary = dict(run.summary)
    summary["allocated"] = sum(per_group.values())
    need = summary.get("need") or 0
    summary["coverage"] = round(summary["allocated"] / need, 4) if need else 1.0
    groups = []
    for g in summary.get("coverage_by_item_priority") or []:
        g = dict(g)
        g["allocated"] = per_group.get((str(g.get("item")), int(g.get("priority") or 0)), 0)
        g["coverage"] = round(g["allocated"] / g["need"], 4) if g.get("need") else 1.0
        groups.append(g)
    summary["coverage_by_item_priority"] = groups
    by_priority: dict[int, list[int]] = {}
    for g in groups:
        acc = by_priority.setdefault(int(g["priority"]), [0, 0])
        acc[0] += int(g.get("need") or 0)
        acc[1] += g["allocated"]
    old = {int(p["priority"]): p for p in summary.get("coverage_by_priority") or []}
    summary["coverage_by_priority"] = [
        {**old.get(p, {}), "priority": p, "need": n, "allocated": a,
         "coverage": round(a / n, 4) if n else 1.0}
        for p, (n, a) in sorted(by_priority.items())]
    return summary
