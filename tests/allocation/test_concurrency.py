"""Two assessors approving overlapping runs and allocating by hand at the same time can
never over-allocate a pledge or over-fill a need (row locks; PostgreSQL)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Sum
from tests.allocation.conftest import RW_A1, RW_A2, need, received
from tests.conftest import SETUP
from tests.donations.conftest import setup_donations

from ksbb.accounts.models import Role
from ksbb.accounts.services import membership_grant, user_create
from ksbb.allocation.models import Allocation, AllocationRun
from ksbb.allocation.services import allocation_create_manual, run_approve, run_start
from ksbb.donations.models import Pledge
from ksbb.needs.services import round_open


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_never_over_allocate(cast, tasks_immediate):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    second = user_create(username="assessor2", password="x-long-password-9", by=SETUP)
    membership_grant(user=second, role=Role.ASSESSOR, organization=cast.government, by=SETUP)
    rnd = round_open(name="Pangan", program="PANGAN", period_start=datetime.date(2020, 5, 1),
                     period_end=datetime.date(2020, 5, 31), by=cast.assessor)
    n1 = need(rnd, RW_A1, 50, cast.assessor)
    n2 = need(rnd, RW_A2, 50, cast.assessor)
    p1 = received(cast, don, 60)
    p2 = received(cast, don, 60)
    run_a = run_start(round=rnd, by=cast.assessor)
    # The immediate backend ran the task on commit; start the second one after it.
    run_b = run_start(round=rnd, by=second)
    for run in (run_a, run_b):
        run.refresh_from_db()
        assert run.state == AllocationRun.State.PROPOSED, run.error
        assert sum(ln.quantity for ln in run.lines.all()) == 100

    jobs = [
        lambda: run_approve(run=run_a, by=cast.assessor),
        lambda: run_approve(run=run_b, by=second),
        lambda: allocation_create_manual(supply=p1, need=n1, quantity=30, by=second),
        lambda: allocation_create_manual(supply=p2, need=n2, quantity=30, by=cast.assessor),
        lambda: allocation_create_manual(supply=p2, need=n1, quantity=25, by=second),
    ]
    barrier = threading.Barrier(len(jobs))
    refused: list[str] = []
    errors: list[BaseException] = []

    def work(job) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            job()
        except ValidationError as exc:
            refused.append("; ".join(exc.messages))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert refused  # the supply (120) and the need (100) cannot satisfy everyone

    used = Sum(F("quantity") - F("returned_quantity"))
    for pledge in (p1, p2):
        total = Allocation.objects.filter(pledge=pledge).aggregate(t=used)["t"] or 0
        assert total <= 60, pledge
    for n in (n1, n2):
        total = Allocation.objects.filter(recipient=n.recipient, item=n.item).aggregate(
            t=used)["t"] or 0
        assert total <= 50, n
    approved = AllocationRun.objects.filter(state=AllocationRun.State.APPROVED).count()
    assert approved <= 1
    allocated = Allocation.objects.aggregate(t=used)["t"] or 0
    assert allocated == 100 or approved == 0  # an approved run fills both needs
    for pledge in Pledge.objects.filter(allocations__isnull=False).distinct():
        assert pledge.state == Pledge.State.ALLOCATED
