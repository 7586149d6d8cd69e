"""Reads for deliveries and handover reports (BAST)."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

from django.db.models import Q, QuerySet

from ksbb.accounts.models import Role
from ksbb.accounts.selectors import scope_of
from ksbb.allocation.models import Allocation
from ksbb.distribution.models import Delivery, DeliveryLine, Handover
from ksbb.donations.models import CollaboratorKind, Pledge, Purchase, PurchaseFunding
from ksbb.regions.selectors import actor_regions_filter

# Individuals are never named in public: the canonical content (and so the fingerprint)
# carries this fixed label instead, in the programme's first language.
INDIVIDUAL_DONOR_LABEL = "Donatur perorangan"


def _org_ids(user: Any, role: str) -> list[int]:
    return [org for org, r in scope_of(user).org_roles if r == role]


def _is_government(user: Any) -> bool:
    return bool(scope_of(user).roles & {Role.PLATFORM_ADMIN, Role.ASSESSOR})


def _delivery_scope(user: Any, prefix: str = "") -> Q | None:
    """None: everything; otherwise the deliveries the user may see (possibly none)."""
    if _is_government(user):
        return actor_regions_filter(user, area=f"{prefix}recipient__area__code") or None
    scope = scope_of(user)
    q = Q(**{f"{prefix}pk__in": []})
    executors = _org_ids(user, Role.EXECUTOR_STAFF)
    if executors:
        q |= Q(**{f"{prefix}executor_id__in": executors})
    aggregators = _org_ids(user, Role.AGGREGATOR_STAFF)
    if aggregators:
        q |= Q(**{f"{prefix}pk__in": DeliveryLine.objects.filter(
            Q(allocation__pledge__aggregator_id__in=aggregators)
            | Q(allocation__purchase__aggregator_id__in=aggregators)).values("delivery_id")})
    if scope.recipient_ids:
        q |= Q(**{f"{prefix}recipient_id__in": scope.recipient_ids})
    if Role.KELURAHAN_OFFICER in scope.roles:
        for village in scope.village_codes:
            q |= Q(**{f"{prefix}recipient__area_id": village}) | Q(
                **{f"{prefix}recipient__area__code__startswith": f"{village}."})
    return q


def deliveries_visible_to(user: Any) -> QuerySet[Delivery]:
    """The government sees all; an executor its own; an aggregator those carrying its
    supplies; a kelurahan officer those to its villages; a representative its recipient's."""
    qs = Delivery.objects.select_related("recipient__area", "executor", "program")
    q = _delivery_scope(user)
    return qs if q is None else qs.filter(q)


def handovers_visible_to(user: Any) -> QuerySet[Handover]:
    qs = Handover.objects.select_related("delivery__recipient__area", "delivery__executor",
                                         "program", "area", "supersedes")
    q = _delivery_scope(user, "delivery__")
    return qs if q is None else qs.filter(q)


def deliveries_for_recipient(recipient: Any) -> QuerySet[Delivery]:
    return Delivery.objects.filter(recipient=recipient).select_related("executor", "program")


def open_allocation_ids() -> QuerySet[DeliveryLine, Any]:
    """Allocations already on a delivery that is not cancelled or failed."""
    return DeliveryLine.objects.exclude(
        delivery__state__in=[Delivery.State.CANCELLED, Delivery.State.FAILED]
    ).values("allocation_id")


def allocations_to_deliver(recipient: Any = None) -> QuerySet[Allocation]:
    """Approved allocations with something left to deliver and no open delivery."""
    from django.db.models import F

    qs = Allocation.objects.filter(state=Allocation.State.ACTIVE,
                                   quantity__gt=F("returned_quantity")).exclude(
        pk__in=open_allocation_ids()).select_related("item", "recipient", "pledge",
                                                     "purchase")
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    return qs


def supply_aggregator_id(allocation: Allocation) -> int:
    supply = allocation.pledge if allocation.pledge_id else allocation.purchase
    assert supply is not None
    return supply.aggregator_id


def supply_parties(allocations: list[Allocation]) -> tuple[list[str], list[str]]:
    """Aggregator names and collaborator names behind allocations (individuals unnamed)."""
    aggregators: set[str] = set()
    pledge_ids: set[int] = set()
    purchase_ids: set[int] = set()
    for a in allocations:
        if a.pledge_id:
            pledge_ids.add(a.pledge_id)
        elif a.purchase_id:
            purchase_ids.add(a.purchase_id)
    pledge_ids |= set(PurchaseFunding.objects.filter(purchase_id__in=purchase_ids)
                      .values_list("pledge_id", flat=True))
    collaborators: set[str] = set()
    for p in Pledge.objects.filter(pk__in=pledge_ids).select_related(
            "aggregator", "collaborator__collaborator_profile"):
        aggregators.add(p.aggregator.name)
        profile = getattr(p.collaborator, "collaborator_profile", None)
        if profile is not None and profile.collaborator_kind == CollaboratorKind.INDIVIDUAL:
            collaborators.add(INDIVIDUAL_DONOR_LABEL)
        else:
            collaborators.add(p.collaborator.name)
    aggregators |= set(Purchase.objects.filter(pk__in=purchase_ids)
                       .values_list("aggregator__name", flat=True))
    return sorted(aggregators), sorted(collaborators)


def handover_parties(handover: Handover) -> list[dict[str, Any]]:
    rows = []
    for role in Handover.Party:
        name = getattr(handover, f"{role.value}_name")
        rows.append({"role": role.value, "name": name,
                     "confirmed_at": getattr(handover, f"{role.value}_confirmed_at")})
    return rows


def handover_content(handover: Handover) -> dict[str, Any]:
    """The canonical content of a BAST: what the fingerprint covers."""
    delivery = handover.delivery
    recipient = delivery.recipient
    lines = list(handover.lines.select_related("item", "delivery_line__allocation__item"))
    per_item: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for line in sorted(lines, key=lambda x: x.item.code):
        row = per_item.setdefault(line.item.code, {
            "item": line.item.code, "name": line.item.name, "unit": line.item.unit,
            "quantity": 0})
        row["quantity"] += line.quantity
    allocations = [line.delivery_line.allocation for line in lines]
    aggregators, collaborators = supply_parties(allocations)
    return {
        "number": handover.number,
        "program": handover.program.code,
        "date": handover.date.isoformat(),
        "place": {
            "area": handover.area_id, "area_name": handover.area.name,
            "address": handover.address,
            "latitude": None if handover.latitude is None else str(handover.latitude),
            "longitude": None if handover.longitude is None else str(handover.longitude),
        },
        "recipient": {"name": recipient.name, "kind": recipient.kind,
                      "area": recipient.area_id},
        "lines": list(per_item.values()),
        "aggregators": aggregators,
        "collaborators": collaborators,
        "parties": [{"role": p["role"], "name": p["name"]} for p in handover_parties(handover)],
        "supersedes": handover.supersedes.number if handover.supersedes else None,
    }


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint_of(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def handover_by_code(code: str) -> Handover | None:
    """A signed BAST by its public verification code (drafts are not public)."""
    return (Handover.objects.filter(code=code.upper(), state=Handover.State.SIGNED)
            .select_related("supersedes").first())


def handover_successor(handover: Handover) -> Handover | None:
    return Handover.objects.filter(supersedes=handover, state=Handover.State.SIGNED).first()


def handovers_for_pledge(pledge: Any) -> list[dict[str, Any]]:
    """Deliveries and BASTs carrying a pledge's goods (directly, or bought with its money),
    for the collaborator's trail."""
    purchases = PurchaseFunding.objects.filter(pledge=pledge).values("purchase_id")
    lines = (DeliveryLine.objects.filter(Q(allocation__pledge=pledge)
                                         | Q(allocation__purchase_id__in=purchases))
             .select_related("delivery__recipient", "allocation__item")
             .order_by("delivery__scheduled_for", "delivery_id", "pk"))
    rows = []
    for line in lines:
        handovers = [h for h in Handover.objects.filter(
            delivery_id=line.delivery_id, state=Handover.State.SIGNED).order_by("pk")]
        superseded = {h.supersedes_id for h in handovers if h.supersedes_id}
        rows.append({
            "delivery": line.delivery, "line": line, "item": line.allocation.item,
            "quantity": line.quantity, "returned_quantity": line.returned_quantity,
            "handovers": [{"handover": h, "superseded": h.pk in superseded}
                          for h in handovers],
        })
    return rows
