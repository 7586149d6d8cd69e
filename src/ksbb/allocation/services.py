"""Writes for allocation: runs of the engine (start, edit, approve, discard; what the
worker does is in ``tasks``, ``parts`` and ``runner``) and manual allocations. Each one
checks the actor, runs in one transaction and is audited.

Invariants kept under concurrency: an approval or a manual allocation locks, in one
transaction and in a fixed order (pledges, then purchases, then needs; each by primary
key), every supply row and every need row of the recipients and items it touches, then
rechecks what is left against ALL active allocations before it writes. Two assessors
approving at once therefore queue on the first shared row, and the second one sees what
the first one allocated.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.accounts.models import User
from ksbb.allocation.engine.problem import LEVELS
from ksbb.allocation.models import Allocation, AllocationRun, ProposedLine
from ksbb.allocation.problem import pledge_area
from ksbb.allocation.selectors import (
    pledge_remaining,
    purchase_remaining,
    used_by_pledge,
    used_by_purchase,
    used_by_recipient_item,
)
from ksbb.allocation.tasks import allocation_run_task
from ksbb.core import areacodes
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, WrongState, is_user, require
from ksbb.core.faults import pause_point
from ksbb.donations.models import PLEDGE_ALLOCATABLE, Pledge, Purchase
from ksbb.donations.services import pledge_mark_allocated
from ksbb.needs.models import AssessmentRound, Need
from ksbb.regions.selectors import region_key_of

Supply = Pledge | Purchase
STUCK_AFTER = datetime.timedelta(hours=1)


def _user(by: Actor) -> User | None:
    return by if is_user(by) else None


def _quantity(value: Any, *, zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
        raise Invalid(_("the quantity must be a whole number of at least %(min)s")
                      % {"min": 0 if zero else 1}, field="quantity")
    return value


def _open_round(rnd: AssessmentRound) -> None:
    if not AssessmentRound.objects.filter(pk=rnd.pk, state=AssessmentRound.State.OPEN).exists():
        raise WrongState(_("the round %(name)s is closed") % {"name": rnd.name}, field="round")


def locality_of(supply_area: str, need_area: str) -> tuple[str, int]:
    shared = min(areacodes.shared_components(supply_area, need_area), len(LEVELS) - 1)
    return LEVELS[shared], 5 - shared


def _supply_area(supply: Supply) -> str:
    if isinstance(supply, Pledge):
        return pledge_area(supply, supply.preferred_area_id or "")[0]
    return supply.aggregator.area_id or ""


def _supply_label(supply: Supply) -> str:
    kind = _("pledge") if isinstance(supply, Pledge) else _("purchase")
    return f"{kind} #{supply.pk}"


# Locking and checking --------------------------------------------------------------------

def _lock_rows(pledge_ids: Iterable[int], purchase_ids: Iterable[int],
               pairs: Iterable[tuple[int, int]]) -> tuple[dict[int, Pledge],
                                                          dict[int, Purchase],
                                                          dict[int, Need]]:
    """Lock supplies and needs in one fixed order (table, then pk) to avoid deadlocks.

    For needs, every need row of each (recipient, item) pair is locked, whatever its round:
    what is left of a need depends on allocations from all rounds.
    """
    pledges = {p.pk: p for p in Pledge.objects.select_for_update(of=("self",)).filter(
        pk__in=sorted(set(pledge_ids))).select_related(
            "collaborator", "aggregator", "recipient", "preferred_area").order_by("pk")}
    purchases = {p.pk: p for p in Purchase.objects.select_for_update(of=("self",)).filter(
        pk__in=sorted(set(purchase_ids))).select_related("aggregator").order_by("pk")}
    pairs = set(pairs)
    needs: dict[int, Need] = {}
    if pairs:
        # A superset (every need of these recipients for these items) keeps the query
        # short for a large approval; locking a few more rows costs nothing here.
        needs = {n.pk: n for n in Need.objects.select_for_update(of=("self",)).filter(
            recipient_id__in=sorted({r for r, _i in pairs}),
            item_id__in=sorted({i for _r, i in pairs})).select_related(
                "recipient", "item", "round").order_by("pk")}
    return pledges, purchases, needs


def _check_supply(supply: Supply, need: Need) -> None:
    if isinstance(supply, Pledge):
        if supply.kind != Pledge.Kind.GOODS or supply.state not in PLEDGE_ALLOCATABLE:
            raise Invalid(_("%(supply)s is not received goods") % {
                "supply": _supply_label(supply)}, field="supply")
        if supply.recipient_id is not None and supply.recipient_id != need.recipient_id:
            raise Invalid(_("%(supply)s was given for another recipient") % {
                "supply": _supply_label(supply)}, field="supply")
        area = supply.preferred_area_id
        if (area and supply.recipient_id is None and need.recipient.area_id != area
                and not areacodes.is_within(need.recipient.area_id, area)):
            raise Invalid(_(
                "%(supply)s may only go to recipients inside area %(area)s") % {
                    "supply": _supply_label(supply), "area": area}, field="supply")
    if supply.item_id != need.item_id:
        raise Invalid(_("%(supply)s is another aid item than the need") % {
            "supply": _supply_label(supply)}, field="supply")


def _check_totals(
    pledges: dict[int, Pledge], purchases: dict[int, Purchase],
    wanted: list[tuple[Supply, Need, int]],
) -> None:
    """What is asked per supply and per (recipient, item) against what is left now."""
    by_pledge: dict[int, int] = defaultdict(int)
    by_purchase: dict[int, int] = defaultdict(int)
    by_pair: dict[tuple[int, int], int] = defaultdict(int)
    pair_need: dict[tuple[int, int], Need] = {}
    for supply, need, quantity in wanted:
        (by_pledge if isinstance(supply, Pledge) else by_purchase)[supply.pk] += quantity
        pair = (need.recipient_id, need.item_id)
        by_pair[pair] += quantity
        # Several needs of one pair (from several rounds) in one approval: the smallest
        # assessed quantity is the limit.
        if pair not in pair_need or need.quantity < pair_need[pair].quantity:
            pair_need[pair] = need
    used = used_by_pledge(by_pledge)
    for pk, asked in sorted(by_pledge.items()):
        left = (pledges[pk].received_quantity or 0) - used.get(pk, 0)
        if asked > left:
            raise Invalid(_(
                "pledge #%(id)s has only %(left)s left, %(asked)s were asked") % {
                    "id": pk, "left": max(left, 0), "asked": asked}, field="quantity")
    used = used_by_purchase(by_purchase)
    for pk, asked in sorted(by_purchase.items()):
        left = purchases[pk].quantity - used.get(pk, 0)
        if asked > left:
            raise Invalid(_(
                "purchase #%(id)s has only %(left)s left, %(asked)s were asked") % {
                    "id": pk, "left": max(left, 0), "asked": asked}, field="quantity")
    used_pairs = used_by_recipient_item(by_pair)
    for pair, asked in sorted(by_pair.items()):
        need = pair_need[pair]
        left = max(0, need.quantity - used_pairs[pair])
        if asked > left:
            raise Invalid(_(
                "%(recipient)s needs only %(left)s more of %(item)s, %(asked)s were asked") % {
                    "recipient": need.recipient, "left": left, "item": need.item.code,
                    "asked": asked}, field="quantity")


def _mark_pledges_allocated(pledges: Iterable[Pledge], by: Actor) -> None:
    for pledge in pledges:
        if pledge.state == Pledge.State.RECEIVED:
            pledge_mark_allocated(pledge=pledge, by=by)


# Runs -----------------------------------------------------------------------------------

def run_start(*, round: AssessmentRound, by: Actor) -> AllocationRun:
    """Queue a run of the engine on an open round; the background task does the work."""
    require(by, "allocation.run", round)
    with transaction.atomic():
        rnd = AssessmentRound.objects.select_for_update().get(pk=round.pk)
        if rnd.state != AssessmentRound.State.OPEN:
            raise WrongState(_("the round %(name)s is closed") % {"name": rnd.name}, field="round")
        # A run stuck for an hour (a worker that died) no longer blocks a new one.
        if rnd.allocation_runs.filter(
                state__in=[AllocationRun.State.QUEUED, AllocationRun.State.RUNNING],
                created_at__gte=timezone.now() - STUCK_AFTER).exists():
            raise WrongState(_("a run of this round is already in progress"), field="round")
        run = AllocationRun.objects.create(round=rnd, created_by=_user(by),
                                           progress_note=_("queued"))
        audit_log(actor=by, action="allocation_run.started", obj=run,
                  after={"round": rnd.pk, "state": run.state})
        transaction.on_commit(lambda: allocation_run_task.enqueue(run.pk))
    return run


def _locked_proposed(run: AllocationRun) -> AllocationRun:
    run = AllocationRun.objects.select_for_update(of=("self",)).select_related("round").get(
        pk=run.pk)
    if run.state != AllocationRun.State.PROPOSED:
        raise WrongState(_("the run is %(state)s, not waiting for review") % {
            "state": run.get_state_display()}, field="run")
    return run


def line_edit(*, line: ProposedLine, quantity: int, by: Actor) -> ProposedLine:
    """Change a proposed line's quantity (0 drops it), within what is left of its supply
    and its need once the run's other lines are counted."""
    require(by, "allocation.run", line.run)
    quantity = _quantity(quantity, zero=True)
    with transaction.atomic():
        run = _locked_proposed(line.run)
        _open_round(run.round)
        line = ProposedLine.objects.select_for_update(of=("self",)).select_related(
            "need__recipient", "need__item", "pledge", "purchase").get(pk=line.pk, run=run)
        before = line.quantity
        others = run.lines.exclude(pk=line.pk)
        supply: Supply
        if line.pledge is not None:
            supply = line.pledge
            supply_left = pledge_remaining(line.pledge) - sum(others.filter(
                pledge_id=supply.pk).values_list("quantity", flat=True))
        else:
            assert line.purchase is not None
            supply = line.purchase
            supply_left = purchase_remaining(line.purchase) - sum(others.filter(
                purchase_id=supply.pk).values_list("quantity", flat=True))
        if quantity > supply_left:
            raise Invalid(_("%(supply)s has only %(left)s left for this line") % {
                "supply": _supply_label(supply), "left": max(supply_left, 0)}, field="quantity")
        need = line.need
        pair = (need.recipient_id, need.item_id)
        need_left = max(0, need.quantity - used_by_recipient_item([pair])[pair])
        need_left -= sum(others.filter(need__recipient_id=need.recipient_id,
                                       need__item_id=need.item_id).values_list(
                                           "quantity", flat=True))
        if quantity > need_left:
            raise Invalid(_(
                "%(recipient)s needs only %(left)s more of %(item)s") % {
                    "recipient": need.recipient, "left": max(need_left, 0),
                    "item": need.item.code}, field="quantity")
        if quantity != before:
            line.quantity, line.edited_by = quantity, _user(by)
            line.save(update_fields=["quantity", "edited_by"])
            audit_log(actor=by, action="allocation_line.edited", obj=line,
                      before={"quantity": before}, after={"quantity": quantity, "run": run.pk})
    return line


def run_approve(*, run: AllocationRun, by: Actor) -> AllocationRun:
    """Turn the run's lines into allocations, in one transaction, after locking and
    rechecking every supply and need they touch."""
    require(by, "allocation.run", run)
    with transaction.atomic():
        run = _locked_proposed(run)
        _open_round(run.round)
        lines = list(run.lines.filter(quantity__gt=0).select_related(
            "need__recipient", "need__item").order_by("pk"))
        pledges, purchases, needs = _lock_rows(
            (ln.pledge_id for ln in lines if ln.pledge_id),
            (ln.purchase_id for ln in lines if ln.purchase_id),
            ((ln.need.recipient_id, ln.need.item_id) for ln in lines))
        wanted: list[tuple[Supply, Need, int]] = []
        for ln in lines:
            supply: Supply = (pledges[ln.pledge_id] if ln.pledge_id
                              else purchases[ln.purchase_id])  # type: ignore[index]
            ln.need = needs[ln.need_id]  # as locked, in case it changed meanwhile
            _check_supply(supply, ln.need)
            wanted.append((supply, ln.need, ln.quantity))
        _check_totals(pledges, purchases, wanted)
        Allocation.objects.bulk_create([
            Allocation(pledge_id=ln.pledge_id, purchase_id=ln.purchase_id, need=ln.need,
                       recipient_id=ln.need.recipient_id, item_id=ln.need.item_id,
                       quantity=ln.quantity, locality=ln.locality, run=run,
                       created_by=_user(by))
            for ln in lines], batch_size=2000)
        pause_point("allocation.run_approve")  # crash tests only: allocations half written
        _mark_pledges_allocated(pledges.values(), by)
        run.state, run.approved_by, run.approved_at = (
            AllocationRun.State.APPROVED, _user(by), timezone.now())
        run.save(update_fields=["state", "approved_by", "approved_at"])
        audit_log(actor=by, action="allocation_run.approved", obj=run,
                  before={"state": AllocationRun.State.PROPOSED},
                  after={"state": run.state, "allocations": len(lines),
                         "quantity": sum(ln.quantity for ln in lines),
                         "pledges": sorted(pledges), "purchases": sorted(purchases)})
    return run


def run_discard(*, run: AllocationRun, by: Actor) -> AllocationRun:
    """Drop a proposal (or a failed run); nothing is allocated."""
    require(by, "allocation.run", run)
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if run.state not in (AllocationRun.State.PROPOSED, AllocationRun.State.FAILED):
            raise WrongState(_("the run is %(state)s and cannot be discarded") % {
                "state": run.get_state_display()}, field="run")
        before = run.state
        run.state = AllocationRun.State.DISCARDED
        run.save(update_fields=["state"])
        audit_log(actor=by, action="allocation_run.discarded", obj=run,
                  before={"state": before}, after={"state": run.state})
    return run


# Manual allocation ----------------------------------------------------------------------

def allocation_create_manual(*, supply: Supply, need: Need, quantity: int,
                             by: Actor) -> Allocation:
    """The assessor allocates ``quantity`` units of a supply to a need by hand, with the
    same locks and checks as an approval (and the donor's area condition)."""
    require(by, "allocation.allocate", need)
    quantity = _quantity(quantity)
    if not isinstance(supply, Pledge | Purchase):
        raise Invalid(_("choose a pledge or a purchase"), field="supply")
    with transaction.atomic():
        _open_round(need.round)
        pledges, purchases, needs = _lock_rows(
            [supply.pk] if isinstance(supply, Pledge) else [],
            [supply.pk] if isinstance(supply, Purchase) else [],
            [(need.recipient_id, need.item_id)])
        need = needs[need.pk]
        locked: Supply = (pledges[supply.pk] if isinstance(supply, Pledge)
                          else purchases[supply.pk])
        _check_supply(locked, need)
        if region_key_of(locked) != region_key_of(need.round):
            raise Invalid(_("%(supply)s was given to another region") % {
                "supply": _supply_label(locked)}, field="supply")
        _check_totals(pledges, purchases, [(locked, need, quantity)])
        need_area = need.recipient.area_id
        locality, _cost = locality_of(
            _supply_area(locked) or areacodes.province_of(need_area), need_area)
        allocation = Allocation.objects.create(
            pledge=locked if isinstance(locked, Pledge) else None,
            purchase=locked if isinstance(locked, Purchase) else None, need=need,
            recipient=need.recipient, item=need.item, quantity=quantity, locality=locality,
            created_by=_user(by))
        _mark_pledges_allocated(pledges.values(), by)
        audit_log(actor=by, action="allocation.created", obj=allocation, after={
            "pledge": allocation.pledge_id, "purchase": allocation.purchase_id,
            "need": need.pk, "recipient": need.recipient_id, "item": need.item.code,
            "quantity": quantity, "manual": True})
    return allocation
