from __future__ import annotations

import pytest
from django.utils import timezone

from ksbb.allocation.models import Allocation
from ksbb.core.domain import NotAllowed, Refusal
from ksbb.core.models import AuditEntry
from ksbb.distribution.models import Delivery
from ksbb.distribution.selectors import allocations_to_deliver, deliveries_visible_to
from ksbb.distribution.services import (
    delivery_cancel,
    delivery_deliver,
    delivery_dispatch,
    delivery_fail,
    delivery_schedule,
    delivery_verify,
)
from tests.distribution.conftest import make_allocation, sign_all
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def test_schedule_groups_allocations_for_one_recipient(cast, dist):
    d = dist.delivery
    assert d.state == Delivery.State.SCHEDULED
    assert d.recipient == cast.recipient and d.executor == cast.executor_org
    assert [(line.allocation_id, line.quantity) for line in d.lines.all()] == [
        (dist.allocation.pk, 40)]
    entry = _entries("delivery.scheduled")[-1]
    assert entry.actor == cast.aggregator
    assert dist.allocation not in allocations_to_deliver()


def test_assessor_schedules_several(cast):
    don = setup_donations(cast)
    a1 = make_allocation(cast, don, quantity=10)
    a2 = make_allocation(cast, don, quantity=5, item=don.ready_meal)
    d = delivery_schedule(allocations=[a1, a2], executor=cast.executor_org,
                          scheduled_for=timezone.localdate(), by=cast.assessor)
    assert d.lines.count() == 2


@pytest.mark.parametrize("who", ["executor", "kelurahan", "ketua_rw", "collaborator",
                                 "outsider"])
def test_schedule_refused_for_other_roles(cast, who):
    don = setup_donations(cast)
    a = make_allocation(cast, don)
    # Another aggregator's staff may schedule in general, but is told nothing about this
    # allocation (as if it did not exist); every other role may not schedule at all.
    refusal = Refusal if who == "outsider" else NotAllowed
    with pytest.raises(refusal, match="not yours" if who == "outsider" else ""):
        delivery_schedule(allocations=[a], executor=cast.executor_org,
                          scheduled_for=timezone.localdate(), by=getattr(cast, who))
    assert not Delivery.objects.exists()


def test_schedule_refusals(cast, dist):
    don = dist.don
    # Already on an open delivery.
    with pytest.raises(Refusal, match="already on a delivery"):
        delivery_schedule(allocations=[dist.allocation], executor=cast.executor_org,
                          scheduled_for=timezone.localdate(), by=cast.assessor)
    a1 = make_allocation(cast, don, quantity=3)
    a2 = make_allocation(cast, don, quantity=3, recipient=cast.other_recipient)
    with pytest.raises(Refusal, match="one recipient"):
        delivery_schedule(allocations=[a1, a2], executor=cast.executor_org,
                          scheduled_for=timezone.localdate(), by=cast.assessor)
    with pytest.raises(Refusal, match="executor"):
        delivery_schedule(allocations=[a1], executor=cast.aggregator_org,
                          scheduled_for=timezone.localdate(), by=cast.assessor)
    with pytest.raises(Refusal, match="twice"):
        delivery_schedule(allocations=[a1, a1], executor=cast.executor_org,
                          scheduled_for=timezone.localdate(), by=cast.assessor)
    Allocation.objects.filter(pk=a1.pk).update(state=Allocation.State.CANCELLED)
    with pytest.raises(Refusal, match="not approved"):
        delivery_schedule(allocations=[a1], executor=cast.executor_org,
                          scheduled_for=timezone.localdate(), by=cast.assessor)
    # The outsider is aggregator staff, but of another aggregator: refused in the words of
    # an allocation that does not exist.
    with pytest.raises(Refusal, match="does not exist or is not yours"):
        delivery_schedule(allocations=[a2], executor=cast.executor_org,
                          scheduled_for=timezone.localdate(), by=cast.outsider)


def test_full_path_and_wrong_state(cast, dist):
    d = dist.delivery
    with pytest.raises(Refusal, match="not possible"):
        delivery_deliver(delivery=d, by=cast.executor)
    d = delivery_dispatch(delivery=d, by=cast.executor)
    assert d.state == Delivery.State.DISPATCHED and d.dispatched_at
    with pytest.raises(Refusal):
        delivery_dispatch(delivery=d, by=cast.executor)
    d = delivery_deliver(delivery=d, by=cast.executor)
    assert d.state == Delivery.State.DELIVERED and d.delivered_at
    with pytest.raises(Refusal):
        delivery_verify(delivery=d, by=cast.assessor)
    with pytest.raises(Refusal):
        delivery_cancel(delivery=d, reason="late", by=cast.assessor)
    from tests.distribution.conftest import draft_for

    sign_all(cast, draft_for(d, cast.executor))
    d.refresh_from_db()
    assert d.state == Delivery.State.HANDED_OVER and d.handed_over_at
    with pytest.raises(NotAllowed):
        delivery_verify(delivery=d, by=cast.executor)
    d = delivery_verify(delivery=d, by=cast.kelurahan)
    assert d.state == Delivery.State.VERIFIED
    assert [e.actor for e in _entries("delivery.dispatched")] == [cast.executor]
    assert [e.actor for e in _entries("delivery.verified")] == [cast.kelurahan]


@pytest.mark.parametrize("who", ["aggregator", "assessor", "kelurahan", "ketua_rw",
                                 "outsider", "admin"])
def test_only_executor_staff_dispatch(cast, dist, who):
    with pytest.raises(NotAllowed):
        delivery_dispatch(delivery=dist.delivery, by=getattr(cast, who))


def test_cancel_returns_quantity(cast, dist):
    with pytest.raises(Refusal, match="reason"):
        delivery_cancel(delivery=dist.delivery, reason=" ", by=cast.aggregator)
    with pytest.raises(NotAllowed):
        delivery_cancel(delivery=dist.delivery, reason="x", by=cast.outsider)
    d = delivery_cancel(delivery=dist.delivery, reason="truck broke", by=cast.aggregator)
    assert d.state == Delivery.State.CANCELLED and d.reason == "truck broke"
    dist.allocation.refresh_from_db()
    assert dist.allocation.returned_quantity == 40
    entry = _entries("allocation.returned")[-1]
    assert entry.actor == cast.aggregator and entry.after["returned_quantity"] == 40
    with pytest.raises(Refusal):
        delivery_dispatch(delivery=d, by=cast.executor)


def test_fail_returns_quantity(cast, dist):
    with pytest.raises(Refusal):
        delivery_fail(delivery=dist.delivery, reason="x", by=cast.executor)  # scheduled
    delivery_dispatch(delivery=dist.delivery, by=cast.executor)
    with pytest.raises(NotAllowed):
        delivery_fail(delivery=dist.delivery, reason="x", by=cast.assessor)
    d = delivery_fail(delivery=dist.delivery, reason="road flooded", by=cast.executor)
    assert d.state == Delivery.State.FAILED
    dist.allocation.refresh_from_db()
    assert dist.allocation.returned_quantity == 40


def test_visibility_per_role(cast, dist):
    d = dist.delivery
    for who in ("admin", "assessor", "aggregator", "executor", "kelurahan", "ketua_rw"):
        assert d in deliveries_visible_to(getattr(cast, who)), who
    for who in ("collaborator", "outsider"):
        assert d not in deliveries_visible_to(getattr(cast, who)), who
