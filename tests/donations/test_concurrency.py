"""PostgreSQL row locks keep pledges right when staff act at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import translation

from ksbb.accounts.models import Role
from ksbb.accounts.services import membership_grant, user_create
from ksbb.core.domain import Refusal
from ksbb.core.models import AuditEntry
from ksbb.donations.models import Pledge, PurchaseFunding
from ksbb.donations.services import pledge_receive, pledge_submit, purchase_record
from tests.conftest import SETUP

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _run_at_once(n: int, work) -> tuple[list[object], list[BaseException]]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            with translation.override("en"):  # threads do not inherit the test's language
                out = work(i)
            with lock:
                results.append(out)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_two_staff_receive_the_same_pledge_once(cast, don):  # type: ignore[no-untyped-def]
    second = user_create(username="aggregator2", password="x-Very-long-9", by=SETUP)
    membership_grant(user=second, role=Role.AGGREGATOR_STAFF,
                     organization=cast.aggregator_org, by=SETUP)
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           item=don.sembako, quantity=1000, by=cast.collaborator)
    staff = [cast.aggregator, second]

    results, errors = _run_at_once(2, lambda i: pledge_receive(
        pledge=pledge, received_quantity=950 - i, by=staff[i]))

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Refusal)
    assert "only a submitted pledge can be received" in " ".join(errors[0].messages)
    pledge.refresh_from_db()
    assert pledge.state == "received" and pledge.received_quantity in (949, 950)
    assert AuditEntry.objects.filter(action="pledge.received",
                                     object_id=str(pledge.pk)).count() == 1


def test_parallel_purchases_never_overspend_a_pledge(cast, don):  # type: ignore[no-untyped-def]
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           program=don.pangan, amount=1_000_000, by=cast.collaborator)
    pledge = pledge_receive(pledge=pledge, received_amount=1_000_000, by=cast.aggregator)

    # Twenty purchases of 150,000 each: at most six fit in 1,000,000.
    results, errors = _run_at_once(20, lambda i: purchase_record(
        aggregator=cast.aggregator_org, item=don.sembako, quantity=1, cost_rupiah=150_000,
        supplier=f"Toko {i}", funding=[(pledge, 150_000)], by=cast.aggregator))

    assert len(results) == 6 and len(errors) == 14
    assert all(isinstance(e, Refusal) and "left" in " ".join(e.messages) for e in errors)
    spent = PurchaseFunding.objects.filter(pledge=pledge).aggregate(s=Sum("amount_rupiah"))["s"]
    assert spent == 900_000 <= pledge.received_amount
    assert AuditEntry.objects.filter(action="purchase.recorded").count() == 6
    assert Pledge.objects.get(pk=pledge.pk).state == "received"
