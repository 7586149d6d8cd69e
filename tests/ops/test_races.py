"""A hundred staff actions at the same moment on the same pledges and needs (PostgreSQL).

50 threads confirm receipt of pledges (through the API, as the aggregator's staff would)
while 50 others approve allocation runs, edit their proposed lines and allocate by hand
(through the API and the services) on the very pledges being received and on the same
needs. Each thread has its own database connection. Afterwards nothing is over-allocated,
no update is lost, every accepted action has exactly one audit entry, the audit chain
verifies, and every refused action got a clean refusal (400), never a 500.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Sum

from ksbb.allocation.models import Allocation, AllocationRun, ProposedLine
from ksbb.allocation.services import line_edit, run_start
from ksbb.core.audit import audit_verify
from ksbb.core.models import AuditEntry
from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_submit
from ksbb.needs.services import round_open
from tests.allocation.conftest import RW_A1, RW_A2, RW_B1, need, received
from tests.donations.conftest import setup_donations

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

RECEIPTS = 50
SUBMITTED = 10  # five receipt attempts per submitted pledge: exactly one may win each
NEED = 35


@pytest.fixture
def tasks_immediate(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _audit(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_hundred_parallel_receipts_and_allocations(cast, client_for, tasks_immediate):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    rnd = round_open(name="Pangan", program="PANGAN", period_start=datetime.date(2020, 5, 1),
                     period_end=datetime.date(2020, 5, 31), by=cast.assessor)
    needs = [need(rnd, code, NEED, cast.assessor) for code in (RW_A1, RW_A2, RW_B1)]
    ready = [received(cast, don, 30) for _ in range(4)]  # 120 received for 105 needed
    waiting = [pledge_submit(collaborator=cast.collaborator_org,
                             aggregator=cast.aggregator_org, item=don.sembako, quantity=20,
                             by=cast.collaborator) for _ in range(SUBMITTED)]
    runs = []
    for _ in range(3):  # three competing proposals over the same supply and needs
        run = run_start(round=rnd, by=cast.assessor)
        run.refresh_from_db()
        assert run.state == AllocationRun.State.PROPOSED, run.error
        runs.append(run)
    lines = list(ProposedLine.objects.filter(run__in=runs, quantity__gte=5).order_by(
        "run_id", "pk"))
    assert len(lines) >= 6
    received_before = _audit("pledge.received")

    # Each job returns (kind, accepted); refusals must be 400s or ValidationErrors.
    jobs: list[Any] = []
    for i in range(RECEIPTS):
        pledge = waiting[i % SUBMITTED]
        c = client_for(cast.aggregator)
        jobs.append(lambda c=c, p=pledge, q=20 - i // SUBMITTED: (
            "receipt", c.post(f"/api/v1/pledges/{p.pk}/receive/",
                              {"received_quantity": q}, content_type="application/json")))
    for i in range(6):  # every run approved twice at once
        c = client_for(cast.assessor)
        jobs.append(lambda c=c, r=runs[i % 3]: (
            "approve", c.post(f"/api/v1/allocation_runs/{r.pk}/approve/")))
    for i in range(20):  # distinct quantities, so an accepted edit always changes the line
        ln = lines[i % len(lines)]
        edited = max(0, ln.quantity - 1 - i // len(lines))
        jobs.append(lambda ln=ln, q=edited: (
            "edit", line_edit(line=ln, quantity=q, by=cast.assessor)))
    for i in range(24):  # by hand, half from pledges being received right now
        supply = waiting[i % SUBMITTED] if i % 2 else ready[i % len(ready)]
        c = client_for(cast.assessor)
        jobs.append(lambda c=c, s=supply, n=needs[i % 3], q=5 + i % 6: (
            "manual", c.post("/api/v1/allocations/",
                             {"supply": f"P-{s.pk}", "need": n.pk, "quantity": q},
                             content_type="application/json")))
    assert len(jobs) == 100

    barrier = threading.Barrier(len(jobs))
    lock = threading.Lock()
    accepted: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    errors: list[str] = []

    def work(job: Any) -> None:
        try:
            barrier.wait(timeout=60)
            try:
                kind, result = job()
            except ValidationError:
                with lock:
                    refused["edit"] += 1
                return
            status = getattr(result, "status_code", 200)
            with lock:
                if status in (200, 201):
                    accepted[kind] += 1
                elif status == 400:
                    refused[kind] += 1
                else:
                    errors.append(f"{kind}: HTTP {status} {result.content[:300]!r}")
        except BaseException as exc:
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    print(f"\naccepted {dict(accepted)}, refused {dict(refused)}")

    # Receipts: exactly one per submitted pledge, each with one audit entry.
    assert accepted["receipt"] == SUBMITTED and refused["receipt"] == RECEIPTS - SUBMITTED
    assert _audit("pledge.received") - received_before == SUBMITTED
    for p in waiting:
        p.refresh_from_db()
        assert p.state in (Pledge.State.RECEIVED, Pledge.State.ALLOCATED)
        assert p.received_quantity in range(16, 21)
        assert AuditEntry.objects.filter(action="pledge.received",
                                         object_id=str(p.pk)).count() == 1

    # No over-allocation: per pledge within what was received, per need within the need.
    used = Sum(F("quantity") - F("returned_quantity"))
    for p in Pledge.objects.filter(kind=Pledge.Kind.GOODS):
        total = Allocation.objects.filter(pledge=p).aggregate(t=used)["t"] or 0
        assert total <= (p.received_quantity or 0), p
        assert (p.state == Pledge.State.ALLOCATED) == (total > 0), p
    for n in needs:
        total = Allocation.objects.filter(recipient=n.recipient, item=n.item).aggregate(
            t=used)["t"] or 0
        assert total <= NEED, n

    # No lost update: every accepted action is in the data and in the log exactly once.
    approved = AllocationRun.objects.filter(state=AllocationRun.State.APPROVED)
    assert approved.count() == accepted["approve"] == _audit("allocation_run.approved")
    assert refused["approve"] == 6 - accepted["approve"]
    assert Allocation.objects.filter(run__isnull=True).count() == accepted["manual"]
    assert _audit("allocation.created") == accepted["manual"]
    assert _audit("allocation_line.edited") == accepted["edit"]
    assert accepted["edit"] + refused["edit"] == 20
    for run in approved:
        assert sorted(run.allocations.values_list("quantity", flat=True)) == sorted(
            run.lines.filter(quantity__gt=0).values_list("quantity", flat=True))
    allocated = Pledge.objects.filter(state=Pledge.State.ALLOCATED).count()
    assert _audit("pledge.allocated") == allocated
    result = audit_verify()
    assert result.ok, result.problem
