"""What the worker running an allocation run writes: its progress, the proposal at the end,
or the reason it failed. Shared by a run solved in one process (``tasks.run_execute``) and a
run split over the task workers (``parts``); it imports neither, so the three form no cycle
(services -> tasks -> parts -> runner)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.allocation.engine import Plan, ProblemError, SolverError
from ksbb.allocation.models import AllocationRun, ProposedLine
from ksbb.core.audit import audit_log
from ksbb.core.domain import SystemActor
from ksbb.donations.models import Pledge, Purchase
from ksbb.needs.models import Need

logger = logging.getLogger(__name__)
WORKER = SystemActor("allocation")  # the background worker that runs the engine


def run_progress(run: AllocationRun, percent: int, note: str, **extra: Any) -> None:
    AllocationRun.objects.filter(pk=run.pk).update(progress=percent, progress_note=note,
                                                   **extra)


def proposal_store(*, run: AllocationRun, plan: Plan, data: dict[str, Any],
                   needs: dict[str, Need], pledges: dict[str, Pledge],
                   purchases: dict[str, Purchase], solve_seconds: float) -> None:
    """The plan's lines as the run's proposal (engine ids mapped to the records by
    ``needs``/``pledges``/``purchases``); the run becomes proposed."""
    run_progress(run, 70, _("saving the proposal"))
    fair = {(g.item, g.priority): g.fair_level for g in plan.summary.groups}
    lines = []
    for a in plan.allocations:
        if a.quantity <= 0:
            continue
        need = needs[a.recipient]
        lines.append(ProposedLine(
            run=run, pledge=pledges.get(a.pledge),
            purchase=purchases.get(a.pledge), need=need, quantity=a.quantity,
            proposed_quantity=a.quantity, locality=a.locality, cost=a.cost,
            reason={
                "need": need.quantity, "need_remaining": a.need_quantity,
                "priority": a.priority, "allocated_to_need": a.need_allocated,
                "coverage": round(a.coverage, 4),
                "fair_level": round(fair.get((a.item, a.priority), 0.0), 4),
                "locality": a.locality, "cost": a.cost,
            }))
    summary = plan.summary.to_dict()
    summary.update(supplies=len(data["pledges"]), needs=len(data["needs"]),
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


def run_failed(*, run: AllocationRun, exc: Exception) -> None:
    """The run stops as failed, with the reason the assessor reads."""
    logger.exception("allocation run %s failed", run.pk, exc_info=exc)
    AllocationRun.objects.filter(pk=run.pk).update(
        state=AllocationRun.State.FAILED, progress=100, progress_note=_("failed"),
        error=_failure_reason(exc), finished_at=timezone.now())
    audit_log(actor=WORKER, action="allocation_run.failed", obj=run,
              after={"error": str(exc)})


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
