"""A signed BAST moves the pledges behind it on: allocated > distributed > completed."""

import pytest
from django.utils import timezone

from ksbb.core.models import AuditEntry
from ksbb.distribution.models import Handover
from ksbb.distribution.services import (
    delivery_deliver,
    delivery_dispatch,
    delivery_schedule,
    handover_confirm,
    handover_create,
)
from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_mark_allocated
from tests.conftest import SETUP
from tests.distribution.conftest import make_allocation
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db


def _hand_over(cast, allocation, quantity=None):  # type: ignore[no-untyped-def]
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    line = delivery.lines.get()
    handover = handover_create(delivery=delivery, date=timezone.localdate(),
                               lines={line.pk: line.quantity if quantity is None else quantity},
                               address="Balai warga", by=cast.executor)
    for role, user in (("giver", cast.executor), ("receiver", cast.ketua_rw),
                       ("witness", cast.kelurahan)):
        handover = handover_confirm(handover=handover, role=role, by=user)
    assert handover.state == Handover.State.SIGNED
    return handover


def test_partly_handed_over_is_distributed_then_completed(cast):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    first = make_allocation(cast, don, quantity=60)  # the pledge received 100
    pledge = first.pledge
    pledge_mark_allocated(pledge=pledge, by=SETUP)
    _hand_over(cast, first)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.DISTRIBUTED  # 40 are still waiting
    second = make_allocation(cast, don, quantity=40, pledge=pledge,
                             recipient=cast.recipient)
    handover = _hand_over(cast, second)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.COMPLETED
    entry = AuditEntry.objects.filter(action="pledge.completed").get()
    assert entry.actor_label == f"system:handover {handover.number}"


def test_a_shortfall_keeps_the_pledge_open(cast):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    allocation = make_allocation(cast, don, quantity=100)
    pledge_mark_allocated(pledge=allocation.pledge, by=SETUP)
    _hand_over(cast, allocation, quantity=90)  # 10 short: they go back to the pledge
    allocation.pledge.refresh_from_db()
    assert allocation.pledge.state == Pledge.State.DISTRIBUTED
