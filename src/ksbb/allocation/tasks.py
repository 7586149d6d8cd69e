"""Background tasks of the allocation app (django-tasks; the database backend in
production)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def allocation_run_task(run_id: int) -> dict[str, Any]:
    """Run the engine for one queued AllocationRun; progress and result go to its row."""
    from ksbb.allocation.services import run_execute

    run = run_execute(run_id=run_id)
    return {"run": run.pk, "state": run.state}


@task()
def allocation_part_task(run_id: int, index: int) -> dict[str, Any]:
    """Solve one part of a run split over the workers (allocation.parts)."""
    from ksbb.allocation.parts import part_execute

    part = part_execute(run_id=run_id, index=index)
    return {"run": run_id, "part": index, "state": part.state}
