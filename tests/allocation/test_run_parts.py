"""A big run spread over the task workers (allocation.parts): one task per independent part,
the last one combines, and the proposal is the one a single process makes."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from tests.allocation.conftest import RW_A1, RW_A2, RW_B1, RW_OTHER, need, received
from tests.allocation.test_api import api_for

from ksbb.allocation.models import AllocationRun, AllocationRunPart
from ksbb.allocation.parts import part_execute
from ksbb.allocation.services import run_discard, run_start
from ksbb.core.storage import all_files

pytestmark = pytest.mark.usefixtures("tasks_immediate")


@pytest.fixture
def many_parts(cast, don, food_round, settings, tmp_path):  # type: ignore[no-untyped-def]
    """Two items; the food packages restricted to village A or to Jakarta Selatan, whose
    supply trees never meet: three independent parts."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for code, quantity, priority in ((RW_A1, 30, 1), (RW_A2, 30, 1), (RW_B1, 25, 1),
                                     (RW_OTHER, 40, 2)):
        need(food_round, code, quantity, cast.assessor, priority=priority)
        need(food_round, code, quantity // 2, cast.assessor, item=don.ready_meal.code)
    received(cast, don, 45, area="31.75")
    received(cast, don, 20, area="31.71.01.1001")
    received(cast, don, 33, item=don.ready_meal)
    return food_round


def _start(cast, rnd, capture) -> AllocationRun:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        run = run_start(round=rnd, by=cast.assessor)
    run.refresh_from_db()
    return run


def _lines(run: AllocationRun) -> list[tuple[object, ...]]:
    return sorted((ln.pledge_id, ln.purchase_id, ln.need_id, ln.quantity, ln.locality,
                   ln.reason["fair_level"]) for ln in run.lines.all())


def test_parts_on_the_workers_propose_what_one_process_does(
        cast, don, many_parts, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.KSBB_ALLOCATION_SPLIT_NEEDS = 0
    whole = _start(cast, many_parts, django_capture_on_commit_callbacks)
    assert whole.state == AllocationRun.State.PROPOSED and not whole.parts.exists()
    expected = _lines(whole)
    run_discard(run=whole, by=cast.assessor)

    settings.KSBB_ALLOCATION_SPLIT_NEEDS = 1
    split = _start(cast, many_parts, django_capture_on_commit_callbacks)
    assert split.state == AllocationRun.State.PROPOSED, split.error
    parts = list(split.parts.all())
    assert len(parts) == 3
    assert sorted((p.item, p.area) for p in parts) == sorted([
        ("sembako", "31.71.01.1001"), ("sembako", "31.75"), (don.ready_meal.code, "")])
    assert all(p.state == AllocationRunPart.State.DONE and p.worker and p.seconds is not None
               for p in parts)
    assert _lines(split) == expected
    assert split.summary["allocated"] == whole.summary["allocated"]
    # The parts' inputs and results are cleaned up once combined.
    assert not list(all_files(default_storage, "allocation_runs"))


def test_a_part_delivered_twice_is_solved_once(
        cast, many_parts, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.KSBB_ALLOCATION_SPLIT_NEEDS = 1
    run = _start(cast, many_parts, django_capture_on_commit_callbacks)
    lines = _lines(run)
    again = part_execute(run_id=run.pk, index=0)
    assert again.state == AllocationRunPart.State.DONE
    run.refresh_from_db()
    assert run.state == AllocationRun.State.PROPOSED and _lines(run) == lines


def test_a_failing_part_fails_the_run_with_its_reason(
        cast, many_parts, settings, monkeypatch,
        django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from ksbb.allocation import parts as parts_module
    from ksbb.allocation.engine import SolverError

    settings.KSBB_ALLOCATION_SPLIT_NEEDS = 1

    def broken(part):  # type: ignore[no-untyped-def]
        raise SolverError("HiGHS: numerical trouble")

    monkeypatch.setattr(parts_module, "solve_part", broken)
    run = _start(cast, many_parts, django_capture_on_commit_callbacks)
    assert run.state == AllocationRun.State.FAILED
    assert "numerical" in run.error and not run.lines.exists()
    assert run.parts.filter(state=AllocationRunPart.State.FAILED).exists()


def test_the_run_page_and_the_api_show_the_parts(
        cast, many_parts, settings, client_for, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.KSBB_ALLOCATION_SPLIT_NEEDS = 1
    run = _start(cast, many_parts, django_capture_on_commit_callbacks)
    page = client_for(cast.assessor).get(f"/backoffice/allocation_runs/{run.pk}/progress/")
    assert page.status_code == 200
    assert "Solved in 3 parts by the task workers" in page.content.decode()
    body = api_for(cast.assessor).get(f"/api/v1/allocation_runs/{run.pk}/").json()
    assert [p["state"] for p in body["parts"]] == ["done"] * 3
