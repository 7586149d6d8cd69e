"""A big allocation run spread over the task workers.

A national round is many independent parts (each item, and within an item each supply tree
under its own topmost restriction area: ``engine.parts``). When a run's problem has at least
``KSBB_ALLOCATION_SPLIT_NEEDS`` needs and more than one part, ``run_execute`` does not solve
it in place: it writes the problem and every part's input to the file storage (shared by all
nodes: the data folder, or the S3 bucket with several machines), records one
``AllocationRunPart`` per part and queues one task per part, which any worker on any node may
take. Each part's result goes back to the storage; the worker that completes the last part
(decided under a lock on the run row, so exactly one) combines them into the plan, which is
the same plan one process would have made, and stores the proposal."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

import orjson
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.allocation.engine import load_problem
from ksbb.allocation.engine.parts import Part, PartResult, combine, solve_part, split
from ksbb.allocation.models import AllocationRun, AllocationRunPart
from ksbb.allocation.runner import proposal_store, run_failed
from ksbb.donations.models import Pledge, Purchase
from ksbb.needs.models import Need


def _name(run_id: int, what: str) -> str:
    return f"allocation_runs/{run_id}/{what}.json"


def _write(name: str, data: Any) -> None:
    # A retried task may find its own earlier file: replace it rather than keep two.
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(orjson.dumps(data)))


def _read(name: str) -> Any:
    with default_storage.open(name, "rb") as fh:
        return orjson.loads(fh.read())


def run_split(*, run: AllocationRun, problem_data: dict[str, Any]) -> list[int]:
    """Store the run's parts and record them, when the problem is big enough and has several
    parts; the caller queues one task per index returned (committed by then). Empty: solve
    it in this process as usual."""
    threshold = settings.KSBB_ALLOCATION_SPLIT_NEEDS
    if not threshold or len(problem_data["needs"]) < threshold:
        return []
    parts = split(load_problem(problem_data))
    if len(parts) < 2:
        return []
    _write(_name(run.pk, "problem"), problem_data)
    for part in parts:
        _write(_name(run.pk, f"part-{part.index}"), part.to_dict())
    with transaction.atomic():
        AllocationRunPart.objects.bulk_create([
            AllocationRunPart(run=run, index=p.index, item=p.item, area=p.area,
                              needs=len(p.needs), pledges=len(p.pledges)) for p in parts])
        AllocationRun.objects.filter(pk=run.pk).update(
            progress=30, progress_note=_("solving %(parts)s parts on the task workers") % {
                "parts": len(parts)})
    return [p.index for p in parts]


def part_execute(*, run_id: int, index: int) -> AllocationRunPart:
    """The body of one part's task: solve it, store the result; the last part combines."""
    with transaction.atomic():
        part = AllocationRunPart.objects.select_for_update().get(run_id=run_id, index=index)
        if part.state != AllocationRunPart.State.QUEUED:
            return part  # another worker has it (a task delivered twice)
        part.state = AllocationRunPart.State.RUNNING
        part.worker = f"{socket.gethostname()}:{os.getpid()}"[:120]
        part.started_at = timezone.now()
        part.save(update_fields=["state", "worker", "started_at"])
    started = time.perf_counter()
    try:
        result = solve_part(Part.from_dict(_read(_name(run_id, f"part-{index}"))))
        _write(_name(run_id, f"result-{index}"), result.to_dict())
    except Exception as exc:
        AllocationRunPart.objects.filter(pk=part.pk).update(
            state=AllocationRunPart.State.FAILED, finished_at=timezone.now())
        run = AllocationRun.objects.get(pk=run_id)
        if run.state == AllocationRun.State.RUNNING:
            run_failed(run=run, exc=exc)
        part.refresh_from_db()
        return part
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run_id)
        AllocationRunPart.objects.filter(pk=part.pk).update(
            state=AllocationRunPart.State.DONE, seconds=time.perf_counter() - started,
            finished_at=timezone.now())
        states = list(run.parts.values_list("state", flat=True))
        done = states.count(AllocationRunPart.State.DONE)
        last = run.state == AllocationRun.State.RUNNING and done == len(states)
        if run.state == AllocationRun.State.RUNNING:
            AllocationRun.objects.filter(pk=run_id).update(
                progress=30 + 40 * done // len(states),
                progress_note=_("%(done)s of %(total)s parts solved") % {
                    "done": done, "total": len(states)})
    if last:
        _combine(run)
    part.refresh_from_db()
    return part


def _combine(run: AllocationRun) -> None:
    """Every part is done: the plan, exactly as one process would have made it."""
    try:
        data = _read(_name(run.pk, "problem"))
        indexes = list(run.parts.order_by("index").values_list("index", flat=True))
        results = [PartResult.from_dict(_read(_name(run.pk, f"result-{k}"))) for k in indexes]
        seconds = sum(s or 0.0 for s in run.parts.values_list("seconds", flat=True))
        plan = combine(load_problem(data), results, seconds)
        keys = {a.recipient for a in plan.allocations}
        supplies = {a.pledge for a in plan.allocations}
        proposal_store(
            run=run, plan=plan, data=data, solve_seconds=seconds,
            needs={f"N{n.pk}": n for n in Need.objects.filter(
                pk__in=[int(k[1:]) for k in keys])},
            pledges={f"P{p.pk}": p for p in Pledge.objects.filter(
                pk__in=[int(k[1:]) for k in supplies if k.startswith("P")])},
            purchases={f"B{p.pk}": p for p in Purchase.objects.filter(
                pk__in=[int(k[1:]) for k in supplies if k.startswith("B")])})
    except Exception as exc:
        run_failed(run=run, exc=exc)
        return
    for k in ["problem", *(f"{kind}-{i}" for i in indexes for kind in ("part", "result"))]:
        default_storage.delete(_name(run.pk, k))
