"""The handover page adds up its lines when one item comes from several supplies (found by
the full journey: two lines of "Paket sembako 20" read as 20, not 40)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ksbb.distribution.services import (
    delivery_deliver,
    delivery_dispatch,
    delivery_schedule,
    handover_create,
)
from tests.distribution.conftest import make_allocation
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db


def test_handover_page_shows_the_total_of_its_lines(cast, client_for):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    allocations = [make_allocation(cast, don, quantity=20), make_allocation(cast, don, quantity=15)]
    delivery = delivery_schedule(allocations=allocations, executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    handover = handover_create(delivery=delivery, date=timezone.localdate(),
                               lines={line.pk: line.quantity for line in delivery.lines.all()},
                               address="Balai warga", by=cast.executor)
    page = client_for(cast.ketua_rw).get(f"/field/handovers/{handover.pk}/").content.decode()
    assert '<td class="num" id="lines-total"><strong>35</strong></td>' in page


def test_one_line_needs_no_total(cast, client_for):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    delivery = delivery_schedule(allocations=[make_allocation(cast, don, quantity=20)],
                                 executor=cast.executor_org, scheduled_for=timezone.localdate(),
                                 by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    handover = handover_create(delivery=delivery, date=timezone.localdate(),
                               lines={line.pk: line.quantity for line in delivery.lines.all()},
                               address="Balai warga", by=cast.executor)
    page = client_for(cast.ketua_rw).get(f"/field/handovers/{handover.pk}/").content.decode()
    assert "lines-total" not in page
