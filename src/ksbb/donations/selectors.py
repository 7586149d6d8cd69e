"""Reads for the donations domain."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.selectors import scope_of
from ksbb.core.audit import actor_name
from ksbb.core.models import AuditEntry
from ksbb.donations.models import (
    PLEDGE_SPENDABLE,
    CollaboratorLink,
    Pledge,
    Program,
    Purchase,
    PurchaseFunding,
    RegionProgram,
)
from ksbb.regions.models import Region
from ksbb.regions.selectors import actor_regions_filter, default_region, served_regions_filter


def _org_ids(user: Any, role: str) -> list[int]:
    return [org for org, r in scope_of(user).org_roles if r == role]


def _is_government(user: Any) -> bool:
    return bool(scope_of(user).roles & {Role.PLATFORM_ADMIN, Role.ASSESSOR})


def pledges_visible_to(user: Any) -> QuerySet[Pledge]:
    """The government: the pledges given to its region; a collaborator: its own (to any
    region); an aggregator: those it receives, in the regions it serves."""
    qs = Pledge.objects.select_related("collaborator", "aggregator", "program", "item",
                                       "preferred_area", "recipient")
    if _is_government(user):
        return qs.filter(actor_regions_filter(user, region="region"))
    aggregators = _org_ids(user, Role.AGGREGATOR_STAFF)
    own = Q(collaborator_id__in=_org_ids(user, Role.COLLABORATOR))
    if aggregators:
        own |= Q(aggregator_id__in=aggregators) & served_regions_filter(aggregators)
    return qs.filter(own)


def pledges_of_collaborators(user: Any) -> QuerySet[Pledge]:
    return pledges_visible_to(user).filter(
        collaborator_id__in=_org_ids(user, Role.COLLABORATOR))


def pledges_inbox(user: Any) -> QuerySet[Pledge]:
    """Pledges waiting for the user's aggregators to confirm receipt."""
    return pledges_visible_to(user).filter(
        aggregator_id__in=_org_ids(user, Role.AGGREGATOR_STAFF),
        state=Pledge.State.SUBMITTED).order_by("created_at", "pk")


def purchases_visible_to(user: Any) -> QuerySet[Purchase]:
    qs = Purchase.objects.select_related("aggregator", "item")
    if _is_government(user):
        where = actor_regions_filter(user, region="fundings__pledge__region")
        return qs.filter(pk__in=Purchase.objects.filter(where).values("pk")) if where else qs
    return qs.filter(
        Q(aggregator_id__in=_org_ids(user, Role.AGGREGATOR_STAFF))
        | Q(fundings__pledge__collaborator_id__in=_org_ids(user, Role.COLLABORATOR))
    ).distinct()


def verified_aggregators(on: Any = None) -> QuerySet[Organization]:
    """Aggregators a collaborator can pledge through today."""
    return Organization.objects.filter(
        kind=Organization.Kind.AGGREGATOR, is_active=True,
        aggregator_profile__verified_at__isnull=False,
        aggregator_profile__licence_valid_until__gte=on or timezone.localdate(),
    ).select_related("aggregator_profile", "area").order_by("name")


def aggregators_awaiting_verification() -> QuerySet[Organization]:
    return Organization.objects.filter(
        kind=Organization.Kind.AGGREGATOR, aggregator_profile__verified_at__isnull=True,
    ).select_related("aggregator_profile").order_by("aggregator_profile__created_at")


@dataclass(frozen=True)
class TrailStep:
    at: Any
    state: str
    state_label: str
    actor_label: str
    seq: int
    entry: AuditEntry


def pledge_trail(pledge: Pledge) -> list[TrailStep]:
    """The pledge's audit entries, oldest first: each state with who and when."""
    steps = []
    for entry in AuditEntry.objects.filter(object_type=Pledge._meta.label_lower,
                                           object_id=str(pledge.pk)).select_related(
                                               "actor").order_by("seq"):
        state = (entry.after or {}).get("state", "")
        label = Pledge.State(state).label if state in Pledge.State.values else entry.action
        steps.append(TrailStep(entry.at, state, str(label), actor_name(entry), entry.seq,
                               entry))
    return steps


@dataclass(frozen=True)
class FundedUnits:
    purchase_id: int
    item_id: int
    amount_rupiah: int
    units: int


def units_bought(purchases: QuerySet[Purchase] | None = None) -> dict[int, list[FundedUnits]]:
    """Per money pledge, the units its money bought: each purchase's quantity shared pro
    rata to the funding, whole units by largest remainder (ties to the lower pledge id).

    Money a purchase used beyond what its pledges funded buys no pledge any units.
    """
    fundings = PurchaseFunding.objects.select_related("purchase")
    if purchases is not None:
        fundings = fundings.filter(purchase__in=purchases)
    by_purchase: dict[int, list[PurchaseFunding]] = defaultdict(list)
    for f in fundings.order_by("purchase_id", "pledge_id"):
        by_purchase[f.purchase_id].append(f)
    result: dict[int, list[FundedUnits]] = defaultdict(list)
    for rows in by_purchase.values():
        purchase = rows[0].purchase
        for f, units in zip(rows, _largest_remainder(
                purchase.quantity, purchase.cost_rupiah, [f.amount_rupiah for f in rows]),
                strict=True):
            result[f.pledge_id].append(FundedUnits(purchase.pk, purchase.item_id,
                                                   f.amount_rupiah, units))
    return dict(result)


def units_bought_by_pledge(pledge: Pledge) -> int:
    purchases = Purchase.objects.filter(fundings__pledge=pledge)
    return sum(f.units for f in units_bought(purchases).get(pledge.pk, []))


def _largest_remainder(quantity: int, cost: int, amounts: list[int]) -> list[int]:
    exact = [quantity * a for a in amounts]  # numerators over ``cost``
    floors = [e // cost for e in exact]
    to_share = quantity * sum(amounts) // cost - sum(floors)
    order = sorted(range(len(amounts)), key=lambda i: (-(exact[i] % cost), i))
    for i in order[:to_share]:
        floors[i] += 1
    return floors


def spendable_money_pledges(aggregator_ids: list[int]) -> list[tuple[Pledge, int]]:
    """Received money pledges of these aggregators with rupiah left, and how much."""

    pledges = Pledge.objects.filter(
        aggregator_id__in=aggregator_ids, kind=Pledge.Kind.MONEY,
        state__in=PLEDGE_SPENDABLE,
    ).select_related("collaborator", "program").annotate(
        spent=Sum("fundings__amount_rupiah")).order_by("received_at", "pk")
    result: list[tuple[Pledge, int]] = []
    for pledge in pledges:
        left = (pledge.received_amount or 0) - (getattr(pledge, "spent", None) or 0)
        if left > 0:
            result.append((pledge, left))
    return result


def linked_collaborators(aggregator: Organization) -> QuerySet[Organization]:
    """Collaborators ``aggregator`` may record pledges for: those who accepted its
    invitation, and those who pledged through it themselves (the donor chose it)."""
    accepted = CollaboratorLink.objects.filter(
        aggregator=aggregator, accepted_at__isnull=False).values("collaborator_id")
    own = Pledge.objects.filter(
        aggregator=aggregator, created_by__memberships__role=Role.COLLABORATOR,
        created_by__memberships__organization=F("collaborator_id"),
    ).values("collaborator_id")
    return Organization.objects.filter(kind=Organization.Kind.COLLABORATOR, is_active=True).filter(
        Q(pk__in=accepted) | Q(pk__in=own))


# The programmes of a region (issue 18).

def _region_pk(region: Region | None) -> int | None:
    return (region or default_region()).pk


def programs_of_region(region: Region | None) -> QuerySet[Program]:
    """The active programmes ``region`` runs (None: the default region): the standard ones
    it adopted, or every standard one while it adopted none, and its own."""
    active = Program.objects.filter(is_active=True)
    key = _region_pk(region)
    if key is None:
        return active.filter(region__isnull=True)
    rows = RegionProgram.objects.filter(region_id=key, is_active=True)
    chosen = Q(pk__in=rows.values("program_id"))
    if not rows.filter(program__region__isnull=True).exists():
        chosen |= Q(region__isnull=True)
    return active.filter(chosen)


def region_runs_program(region: Region | None, program: Program) -> bool:
    return programs_of_region(region).filter(pk=program.pk).exists()


def program_names(region: Region | None) -> dict[str, str]:
    """The names ``region`` (None: the default region) gives its programmes (programme
    code -> name), where it gave one of its own."""
    key = _region_pk(region)
    if key is None:
        return {}
    return dict(RegionProgram.objects.filter(region_id=key, is_active=True)
                .exclude(local_name="").values_list("program__code", "local_name"))


def program_name(region: Region | None, program: Program) -> str:
    """``program`` as ``region`` (None: the default region) calls it: the region's own
    name for it where it gave one (``program_names``), else the standard name."""
    return program_names(region).get(program.code, program.name)


def with_program_label(pledges: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """The pledges, each with ``program_label``: its programme as the pledge's region (None:
    the default region) calls it, in the same query: the SQL twin of ``program_name``, for
    lists. Goods pledges have no programme: their label is None."""
    default = default_region()
    region = (Coalesce(OuterRef("region_id"), Value(default.pk)) if default is not None
              else OuterRef("region_id"))
    local = RegionProgram.objects.filter(
        region_id=region, program_id=OuterRef("program_id"), is_active=True,
    ).exclude(local_name="").values("local_name")[:1]
    return pledges.annotate(program_label=Coalesce(Subquery(local), F("program__name")))


def program_names_by_region() -> dict[tuple[str, str], str]:
    """Every region's own programme names: (region code, programme code) -> name."""
    return {(code, program): name for code, program, name in RegionProgram.objects.filter(
        is_active=True).exclude(local_name="").values_list(
        "region__code", "program__code", "local_name")}


@dataclass(frozen=True)
class RegionProgramRow:
    """A programme as one region sees it: adopted or not, and its name there."""

    program: Program
    adopted: bool
    local_name: str


def region_program_rows(region: Region) -> list[RegionProgramRow]:
    """Every active standard programme and the region's own, with whether ``region`` runs
    it by choice (adopted, or its own) and its name there."""
    own = {r.program_id: r for r in RegionProgram.objects.filter(region=region,
                                                                 is_active=True)}
    programs = Program.objects.filter(is_active=True).filter(
        Q(region__isnull=True) | Q(region=region)).order_by("code")
    return [RegionProgramRow(p, p.pk in own, own[p.pk].local_name if p.pk in own else "")
            for p in programs]
