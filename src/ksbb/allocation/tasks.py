"""Background tasks of the allocation app (django-tasks; the database backend in
production): a run solved in one process, or split into parts that any worker solves
(allocation.parts). ``services.run_start`` queues the first; the parts are queued here, so
that ``parts`` need not import this module (no import cycle)."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from ksbb.allocation.engine import load_problem, solve
from ksbb.allocation.models import AllocationRun
from ksbb.allocation.parts import part_execute, run_split
from ksbb.allocation.problem import build_problem
from ksbb.allocation.runner import proposal_store, run_failed, run_progress


def run_execute(*, run_id: int) -> AllocationRun:
    """The body of the run's task: build the problem, solve it, store the proposal. A big
    problem is instead split into parts, one task each (allocation.parts)."""
    run = AllocationRun.objects.select_related("round").get(pk=run_id)
    if run.state != AllocationRun.State.QUEUED:
        return run
    try:
        run_progress(run, 5, _("building the problem"), state=AllocationRun.State.RUNNING)
        built = build_problem(run.round)
        parts = run_split(run=run, problem_data=built.data)
        if parts:
            transaction.on_commit(lambda: [allocation_part_task.enqueue(run.pk, index)
                                           for index in parts])
            run.refresh_from_db()
            return run
        run_progress(run, 30, _("solving"))
        started = time.perf_counter()
        plan = solve(load_problem(built.data))
        proposal_store(run=run, plan=plan, data=built.data, needs=built.needs,
                       pledges=built.pledges, purchases=built.purchases,
                       solve_seconds=time.perf_counter() - started)
    except Exception as exc:
        run_failed(run=run, exc=exc)
    run.refresh_from_db()
    return run


@task()
def allocation_run_task(run_id: int) -> dict[str, Any]:
    """Run the engine for one queued AllocationRun; progress and result go to its row."""
    run = run_execute(run_id=run_id)
    return {"run": run.pk, "state": run.state}


@task()
def allocation_part_task(run_id: int, index: int) -> dict[str, Any]:
    """Solve one part of a run split over the workers (allocation.parts)."""
    part = part_execute(run_id=run_id, index=index)
    return {"run": run_id, "part": index, "state": part.state}
