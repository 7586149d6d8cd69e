"""Background tasks of the allocation app (django-tasks; the database backend in
production): a queued run of the engine, executed by the worker."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from ksbb.allocation.engine import ProblemError, SolverError, load_problem, solve
from ksbb.allocation.models import AllocationRun, ProposedLine
from ksbb.allocation.problem import build_problem
from ksbb.core.audit import audit_log
from ksbb.core.domain import SystemActor

logger = logging.getLogger(__name__)
WORKER = SystemActor("allocation")


@task()
def allocation_run_task(run_id: int) -> dict[str, Any]:
    """Run the engine for one queued AllocationRun; progress and result go to its row."""
    run = run_execute(run_id=run_id)
    return {"run": run.pk, "state": run.state}


def _progress(run: AllocationRun, percent: int, note: str, **extra: Any) -> None:
    AllocationRun.objects.filter(pk=run.pk).update(progress=percent, progress_note=note,
                                                   **extra)


def run_execute(*, run_id: int) -> AllocationRun:
    """The body of the background task: build the problem, solve it, store the proposal."""
    run = AllocationRun.objects.select_related("round").get(pk=run_id)
    if run.state != AllocationRun.State.QUEUED:
        return run
    try:
        _progress(run, 5, _("building the problem"), state=AllocationRun.State.RUNNING)
        built = build_problem(run.round)
        _progress(run, 30, _("solving"))
        started = time.perf_counter()
        plan = solve(load_problem(built.data))
        solve_seconds = time.perf_counter() - started
        _progress(run, 70, _("saving the proposal"))
        fair = {(g.item, g.priority): g.fair_level for g in plan.summary.groups}
        lines = []
        for a in plan.allocations:
            if a.quantity <= 0:
                continue
            need = built.needs[a.recipient]
            lines.append(ProposedLine(
                run=run, pledge=built.pledges.get(a.pledge),
                purchase=built.purchases.get(a.pledge), need=need, quantity=a.quantity,
                proposed_quantity=a.quantity, locality=a.locality, cost=a.cost,
                reason={
                    "need": need.quantity, "need_remaining": a.need_quantity,
                    "priority": a.priority, "allocated_to_need": a.need_allocated,
                    "coverage": round(a.coverage, 4),
                    "fair_level": round(fair.get((a.item, a.priority), 0.0), 4),
                    "locality": a.locality, "cost": a.cost,
                }))
        summary = plan.summary.to_dict()
        summary.update(supplies=len(built.data["pledges"]), needs=len(built.data["needs"]),
                       lines=len(lines), run_seconds=round(solve_seconds, 3))
        with transaction.atomic():
            ProposedLine.objects.bulk_create(lines, batch_size=2000)
            AllocationRun.objects.filter(pk=run.pk).update(
                state=AllocationRun.State.PROPOSED, progress=100,
                progress_note=_("proposal ready"), summary=summary,
                finished_at=timezone.now())
            audit_log(actor=WORKER, action="allocation_run.proposed", obj=run,
                      after={"lines": len(lines), "allocated": summary["allocated"],
                             "need": summary["need"]})
    except Exception as exc:
        logger.exception("allocation run %s failed", run.pk)
        AllocationRun.objects.filter(pk=run.pk).update(
            state=AllocationRun.State.FAILED, progress=100, progress_note=_("failed"),
            error=_failure_reason(exc), finished_at=timezone.now())
        audit_log(actor=WORKER, action="allocation_run.failed", obj=run,
                  after={"error": str(exc)})
    run.refresh_from_db()
    return run


def _failure_reason(exc: Exception) -> str:
    """What the assessor reads on a failed run: in the active language (Indonesian in the
    background worker), with the technical detail kept as is; the log has the traceback."""
    detail = str(exc) or exc.__class__.__name__
    if isinstance(exc, ProblemError):
        return _("The round's data does not form a valid allocation problem: %(detail)s") % {
            "detail": detail}
    if isinstance(exc, SolverError):
        return _("The solver could not finish because of a numerical problem (%(detail)s). "
                 "Run the allocation again, or allocate by hand.") % {"detail": detail}
    return _("Unexpected error: %(detail)s") % {"detail": detail}
