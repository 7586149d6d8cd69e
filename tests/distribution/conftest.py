"""Distribution fixtures: received goods pledges and approved allocations made directly
(the allocation services are another workstream's), on top of the shared cast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from ksbb.allocation.models import Allocation
from ksbb.distribution.models import Delivery, Handover
from ksbb.distribution.services import (
    delivery_deliver,
    delivery_dispatch,
    delivery_schedule,
    handover_confirm,
    handover_create,
)
from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_receive, pledge_submit
from ksbb.needs.models import Recipient
from ksbb.needs.services import need_set, round_open
from tests.donations.conftest import Donations, setup_donations


def make_allocation(cast: Any, don: Donations, *, recipient: Recipient | None = None,
                    quantity: int = 40, pledge: Pledge | None = None,
                    item: Any = None) -> Allocation:
    """An approved allocation from a received goods pledge to one recipient's need."""
    recipient = recipient or cast.recipient
    item = item or don.sembako
    if pledge is None:
        pledge = pledge_submit(collaborator=cast.collaborator_org,
                               aggregator=cast.aggregator_org, item=item, quantity=100,
                               by=cast.collaborator)
        pledge = pledge_receive(pledge=pledge, received_quantity=100, by=cast.aggregator)
    rnd = round_open(name=f"Pangan {Allocation.objects.count()}", program=don.pangan,
                     period_start=dt.date(2020, 5, 1), period_end=dt.date(2020, 5, 31),
                     by=cast.assessor)
    need = need_set(round=rnd, recipient=recipient, item=item, quantity=quantity, priority=1,
                    by=cast.assessor)
    return Allocation.objects.create(pledge=pledge, need=need, recipient=recipient,
                                     item=item, quantity=quantity, created_by=cast.assessor)


@dataclass
class Dist:
    don: Donations
    allocation: Allocation
    delivery: Delivery


@pytest.fixture
def dist(cast) -> Dist:  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    allocation = make_allocation(cast, don)
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.aggregator)
    return Dist(don, allocation, delivery)


@pytest.fixture
def delivered(cast, dist) -> Delivery:  # type: ignore[no-untyped-def]
    delivery_dispatch(delivery=dist.delivery, by=cast.executor)
    return delivery_deliver(delivery=dist.delivery, by=cast.executor)


def draft_for(delivery: Delivery, by: Any, quantity: int | None = None) -> Handover:
    line = delivery.lines.get()
    return handover_create(delivery=delivery, date=timezone.localdate(),
                           lines={line.pk: line.quantity if quantity is None else quantity},
                           address="Balai warga RW 01", by=by)


@pytest.fixture
def draft(cast, delivered) -> Handover:  # type: ignore[no-untyped-def]
    return draft_for(delivered, cast.executor)


def sign_all(cast: Any, handover: Handover) -> Handover:
    handover_confirm(handover=handover, role="giver", by=cast.executor)
    handover_confirm(handover=handover, role="receiver", by=cast.ketua_rw)
    return handover_confirm(handover=handover, role="witness", by=cast.kelurahan)


@pytest.fixture
def signed(cast, draft) -> Handover:  # type: ignore[no-untyped-def]
    return sign_all(cast, draft)
