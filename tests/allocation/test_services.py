"""Runs end to end (ImmediateBackend), review, edit, approve, discard, manual allocation,
remaining quantities, and refusals."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.allocation.conftest import RW_A1, RW_A2, RW_OTHER, need, received, rw

from ksbb.allocation.models import Allocation, AllocationRun
from ksbb.allocation.selectors import need_remaining, pledge_remaining
from ksbb.allocation.services import (
    allocation_create_manual,
    line_edit,
    run_approve,
    run_discard,
    run_start,
)
from ksbb.core.models import AuditEntry
from ksbb.donations.models import Pledge
from ksbb.needs.services import need_set, round_close, round_open

pytestmark = pytest.mark.usefixtures("tasks_immediate")

NOT_ASSESSOR = ["admin", "aggregator", "executor", "kelurahan", "ketua_rw", "collaborator",
                "outsider"]


@pytest.fixture
def run_now(cast, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    def start(rnd, by=None) -> AllocationRun:  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            run = run_start(round=rnd, by=by or cast.assessor)
        run.refresh_from_db()
        return run

    return start


@pytest.fixture
def scene(cast, don, food_round):  # type: ignore[no-untyped-def]
    """Two RWs of village A need 30 each (priority 1), one elsewhere 40 (priority 2); one
    unrestricted pledge of 40 from a collaborator without an area, to an aggregator in
    village A."""
    from ksbb.areas.models import Area

    cast.aggregator_org.area = Area.objects.get(code="31.71.01.1001")
    cast.aggregator_org.save()
    n1 = need(food_round, RW_A1, 30, cast.assessor)
    n2 = need(food_round, RW_A2, 30, cast.assessor)
    n3 = need(food_round, RW_OTHER, 40, cast.assessor, priority=2)
    p = received(cast, don, 40)
    return n1, n2, n3, p


def test_run_end_to_end_proposes_fair_lines_with_reasons(cast, scene, food_round, run_now):  # type: ignore[no-untyped-def]
    n1, n2, _n3, p = scene
    run = run_now(food_round)
    assert run.state == AllocationRun.State.PROPOSED, run.error
    assert run.progress == 100 and run.finished_at is not None
    lines = {ln.need_id: ln for ln in run.lines.all()}
    assert set(lines) == {n1.pk, n2.pk}  # priority 1 first, split evenly
    assert [lines[n1.pk].quantity, lines[n2.pk].quantity] == [20, 20]
    line = lines[n1.pk]
    assert line.pledge_id == p.pk and line.purchase_id is None
    assert line.reason["need"] == 30 and line.reason["need_remaining"] == 30
    assert line.reason["locality"] == "village" and line.locality == "village"
    assert line.reason["fair_level"] == pytest.approx(2 / 3, abs=1e-3)
    assert line.reason["coverage"] == pytest.approx(2 / 3, abs=1e-3)
    assert run.summary["allocated"] == 40 and run.summary["lines"] == 2
    started = AuditEntry.objects.get(action="allocation_run.started")
    assert started.actor == cast.assessor
    assert AuditEntry.objects.filter(action="allocation_run.proposed").exists()
    # Nothing is allocated before approval.
    assert not Allocation.objects.exists()
    assert pledge_remaining(p) == 40


def test_preferred_area_restricts_the_pledge(cast, scene, don, food_round, run_now):  # type: ignore[no-untyped-def]
    _n1, n2, _n3, _p = scene
    # A second pledge restricted to RW A2.
    p2 = received(cast, don, 100, area=RW_A2)
    run = run_now(food_round)
    restricted = [ln for ln in run.lines.all() if ln.pledge_id == p2.pk]
    assert {ln.need_id for ln in restricted} == {n2.pk}


def test_failed_run_keeps_the_error(cast, scene, food_round, run_now, monkeypatch):  # type: ignore[no-untyped-def]
    def boom(problem):  # type: ignore[no-untyped-def]
        raise RuntimeError("solver exploded")

    monkeypatch.setattr("ksbb.allocation.tasks.solve", boom)
    run = run_now(food_round)
    assert run.state == AllocationRun.State.FAILED
    assert "solver exploded" in run.error
    assert not run.lines.exists()
    discarded = run_discard(run=run, by=cast.assessor)
    assert discarded.state == AllocationRun.State.DISCARDED


def test_edit_approve_reduces_remaining_and_marks_pledges(cast, scene, food_round, run_now):  # type: ignore[no-untyped-def]
    n1, n2, _n3, p = scene
    run = run_now(food_round)
    line1 = run.lines.get(need=n1)
    line2 = run.lines.get(need=n2)
    line_edit(line=line2, quantity=10, by=cast.assessor)
    line_edit(line=line1, quantity=30, by=cast.assessor)  # 40 - 10 left on the pledge
    line1.refresh_from_db()
    assert line1.quantity == 30 and line1.proposed_quantity == 20
    assert line1.edited_by == cast.assessor
    edit = AuditEntry.objects.filter(action="allocation_line.edited").last()
    assert edit.actor == cast.assessor and edit.before == {"quantity": 20}
    with pytest.raises(ValidationError) as exc:
        line_edit(line=line2, quantity=11, by=cast.assessor)  # pledge has only 10 left
    assert "pledge" in exc.value.message_dict["quantity"][0]
    run = run_approve(run=run, by=cast.assessor)
    assert run.state == AllocationRun.State.APPROVED and run.approved_by == cast.assessor
    allocations = {a.need_id: a for a in Allocation.objects.filter(run=run)}
    assert {k: a.quantity for k, a in allocations.items()} == {n1.pk: 30, n2.pk: 10}
    a1 = allocations[n1.pk]
    assert (a1.recipient_id, a1.item_id, a1.pledge_id) == (n1.recipient_id, n1.item_id, p.pk)
    p.refresh_from_db()
    assert p.state == Pledge.State.ALLOCATED
    assert pledge_remaining(p) == 0
    assert need_remaining(n1) == 0 and need_remaining(n2) == 20
    approved = AuditEntry.objects.get(action="allocation_run.approved")
    assert approved.actor == cast.assessor and approved.after["quantity"] == 40
    assert AuditEntry.objects.filter(action="pledge.allocated", actor=cast.assessor).exists()
    # Approved once only.
    with pytest.raises(ValidationError):
        run_approve(run=run, by=cast.assessor)
    with pytest.raises(ValidationError):
        run_discard(run=run, by=cast.assessor)


def test_edit_above_the_need_is_refused(cast, scene, don, food_round, run_now):  # type: ignore[no-untyped-def]
    n1, _n2, _n3, _p = scene
    received(cast, don, 100)  # plenty of supply now
    run = run_now(food_round)
    line = run.lines.filter(need=n1).first()
    with pytest.raises(ValidationError) as exc:
        line_edit(line=line, quantity=31, by=cast.assessor)
    assert "needs only" in exc.value.message_dict["quantity"][0]
    with pytest.raises(ValidationError):
        line_edit(line=line, quantity=-1, by=cast.assessor)


def test_approval_rechecks_against_allocations_made_since(cast, scene, food_round, run_now):  # type: ignore[no-untyped-def]
    _n1, _n2, _n3, _p = scene
    first = run_now(food_round)
    second = run_now(food_round)
    run_approve(run=first, by=cast.assessor)
    with pytest.raises(ValidationError) as exc:
        run_approve(run=second, by=cast.assessor)
    assert "has only 0 left" in exc.value.message_dict["quantity"][0]
    assert Allocation.objects.filter(run=second).count() == 0
    second.refresh_from_db()
    assert second.state == AllocationRun.State.PROPOSED
    run_discard(run=second, by=cast.assessor)
    assert AuditEntry.objects.get(action="allocation_run.discarded").actor == cast.assessor


def test_discard_leaves_nothing_allocated(cast, scene, food_round, run_now):  # type: ignore[no-untyped-def]
    run = run_now(food_round)
    run = run_discard(run=run, by=cast.assessor)
    assert run.state == AllocationRun.State.DISCARDED
    assert not Allocation.objects.exists()
    with pytest.raises(ValidationError):
        run_approve(run=run, by=cast.assessor)


def test_closed_round_refuses_runs_and_approval(cast, scene, food_round, run_now):  # type: ignore[no-untyped-def]
    run = run_now(food_round)
    round_close(round=food_round, by=cast.assessor)
    with pytest.raises(ValidationError) as exc:
        run_start(round=food_round, by=cast.assessor)
    assert exc.value.message_dict["round"] == [f"the round {food_round.name} is closed"]
    with pytest.raises(ValidationError):
        run_approve(run=run, by=cast.assessor)
    with pytest.raises(ValidationError):
        line_edit(line=run.lines.first(), quantity=1, by=cast.assessor)


def test_one_run_at_a_time_per_round(cast, scene, food_round):  # type: ignore[no-untyped-def]
    run_start(round=food_round, by=cast.assessor)  # queued: on_commit never ran
    with pytest.raises(ValidationError) as exc:
        run_start(round=food_round, by=cast.assessor)
    assert "already in progress" in exc.value.message_dict["round"][0]


@pytest.mark.parametrize("role", NOT_ASSESSOR)
def test_only_the_assessor_runs_and_allocates(cast, scene, food_round, run_now, role):  # type: ignore[no-untyped-def]
    n1, _n2, _n3, p = scene
    user = getattr(cast, role)
    with pytest.raises(PermissionDenied):
        run_start(round=food_round, by=user)
    run = run_now(food_round)
    with pytest.raises(PermissionDenied):
        line_edit(line=run.lines.first(), quantity=1, by=user)
    with pytest.raises(PermissionDenied):
        run_approve(run=run, by=user)
    with pytest.raises(PermissionDenied):
        run_discard(run=run, by=user)
    with pytest.raises(PermissionDenied):
        allocation_create_manual(supply=p, need=n1, quantity=1, by=user)
    assert not Allocation.objects.exists()


def test_manual_allocation_and_its_refusals(cast, scene, don, food_round):  # type: ignore[no-untyped-def]
    n1, n2, n3, p = scene
    a = allocation_create_manual(supply=p, need=n1, quantity=25, by=cast.assessor)
    assert (a.quantity, a.run, a.recipient, a.item) == (25, None, n1.recipient, n1.item)
    assert a.locality == "village"
    p.refresh_from_db()
    assert p.state == Pledge.State.ALLOCATED
    entry = AuditEntry.objects.get(action="allocation.created")
    assert entry.actor == cast.assessor and entry.after["manual"] is True
    with pytest.raises(ValidationError) as exc:  # only 15 left of the pledge
        allocation_create_manual(supply=p, need=n2, quantity=16, by=cast.assessor)
    assert "pledge #" in exc.value.message_dict["quantity"][0]
    with pytest.raises(ValidationError) as exc:  # only 5 left of the need
        allocation_create_manual(supply=p, need=n1, quantity=6, by=cast.assessor)
    assert "needs only 5 more" in exc.value.message_dict["quantity"][0]
    allocation_create_manual(supply=p, need=n1, quantity=5, by=cast.assessor)  # allocated ok
    other_item = received(cast, don, 10, item=don.ready_meal)
    with pytest.raises(ValidationError) as exc:
        allocation_create_manual(supply=other_item, need=n2, quantity=1, by=cast.assessor)
    assert "another aid item" in exc.value.message_dict["supply"][0]
    restricted = received(cast, don, 10, area=RW_A1)
    with pytest.raises(ValidationError) as exc:
        allocation_create_manual(supply=restricted, need=n3, quantity=1, by=cast.assessor)
    assert "only go to recipients inside area" in exc.value.message_dict["supply"][0]
    for_recipient = received(cast, don, 10, recipient=rw(RW_A2))
    with pytest.raises(ValidationError):
        allocation_create_manual(supply=for_recipient, need=n1, quantity=1, by=cast.assessor)
    allocation_create_manual(supply=for_recipient, need=n2, quantity=10, by=cast.assessor)
    with pytest.raises(ValidationError):
        allocation_create_manual(supply=p, need=n2, quantity=0, by=cast.assessor)


def test_not_received_pledge_cannot_be_allocated(cast, scene, don):  # type: ignore[no-untyped-def]
    from ksbb.donations.services import pledge_submit

    n1 = scene[0]
    submitted = pledge_submit(collaborator=cast.collaborator_org,
                              aggregator=cast.aggregator_org, item=don.sembako, quantity=5,
                              by=cast.collaborator)
    with pytest.raises(ValidationError) as exc:
        allocation_create_manual(supply=submitted, need=n1, quantity=1, by=cast.assessor)
    assert "not received goods" in exc.value.message_dict["supply"][0]


def test_need_remaining_counts_allocations_of_every_round(cast, scene, don, food_round):  # type: ignore[no-untyped-def]
    n1, _n2, _n3, p = scene
    allocation_create_manual(supply=p, need=n1, quantity=20, by=cast.assessor)
    later = round_open(name="Pangan Juni", program="PANGAN",
                       period_start=datetime.date(2020, 6, 1),
                       period_end=datetime.date(2020, 6, 30), by=cast.assessor)
    again = need_set(round=later, recipient=n1.recipient, item="sembako", quantity=25,
                     priority=1, by=cast.assessor)
    assert need_remaining(again) == 5  # 25 assessed, 20 already received
    more = received(cast, don, 50)
    with pytest.raises(ValidationError):
        allocation_create_manual(supply=more, need=again, quantity=6, by=cast.assessor)
    allocation_create_manual(supply=more, need=again, quantity=5, by=cast.assessor)
    # A returned quantity counts back.
    Allocation.objects.filter(need=n1).update(returned_quantity=4)
    assert need_remaining(again) == 4
    Allocation.objects.filter(need=n1).update(state=Allocation.State.CANCELLED)
    assert need_remaining(again) == 20


def test_purchase_is_a_supply(cast, scene, don, food_round, run_now):  # type: ignore[no-untyped-def]
    from ksbb.allocation.selectors import purchase_remaining
    from ksbb.donations.services import pledge_receive, pledge_submit, purchase_record

    _n1, _n2, _n3, _p = scene
    money = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                          program=don.pangan, amount=3_000_000, by=cast.collaborator)
    pledge_receive(pledge=money, received_amount=3_000_000, by=cast.aggregator)
    bought = purchase_record(aggregator=cast.aggregator_org, item=don.sembako, quantity=10,
                             cost_rupiah=3_000_000, supplier="Toko", funding=[(money, 3_000_000)],
                             by=cast.aggregator)
    run = run_now(food_round)
    assert run.lines.filter(purchase=bought).exists()
    run_approve(run=run, by=cast.assessor)
    assert purchase_remaining(bought) == 0
    assert sum(a.quantity for a in Allocation.objects.all()) == 50


def test_coverage_by_area_counts_allocations(cast, scene):  # type: ignore[no-untyped-def]
    from ksbb.needs.selectors import need_coverage_by_area

    n1, n2, _n3, p = scene
    allocation_create_manual(supply=p, need=n1, quantity=25, by=cast.assessor)
    allocation_create_manual(supply=p, need=n2, quantity=5, by=cast.assessor)
    rows = {r.code: r for r in need_coverage_by_area(n1.round, 5)}
    assert (rows[RW_A1].need, rows[RW_A1].covered) == (30, 25)
    assert (rows[RW_A2].covered, rows[RW_OTHER].covered) == (5, 0)
    village = need_coverage_by_area(n1.round, 4, within="31.71.01")[0]
    assert (village.need, village.covered) == (60, 30)


def test_a_stuck_run_does_not_block_the_round(cast, scene, food_round):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    stuck = run_start(round=food_round, by=cast.assessor)  # never executed
    AllocationRun.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2))
    assert run_start(round=food_round, by=cast.assessor).pk != stuck.pk
