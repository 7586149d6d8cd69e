"""Delivered figures come from signed BASTs; a signed correction replaces what it
supersedes."""

import pytest
from django.core.cache import cache

from ksbb.stats.selectors import Filters, dashboard
from tests.distribution.conftest import draft_for, make_allocation, sign_all
from tests.distribution.test_pledge_progress import _hand_over

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    cache.clear()


def test_delivered_counts_signed_handovers(cast):  # type: ignore[no-untyped-def]
    from tests.donations.conftest import setup_donations

    don = setup_donations(cast)
    assert dashboard(Filters()).packages_delivered == 0
    _hand_over(cast, make_allocation(cast, don, quantity=40), quantity=38)
    _hand_over(cast, make_allocation(cast, don, quantity=10))
    data = dashboard(Filters())
    assert data.packages_delivered == 48
    assert data.deliveries == 2 and data.recipients_reached == 1
    assert [(s.key, s.value, s.percent) for s in data.by_recipient_kind] == [
        ("rw", 48 * 300_000, 100.0)]
    assert dashboard(Filters(regency="31.71")).packages_delivered == 48  # Jakarta Pusat
    assert dashboard(Filters(regency="31.75")).packages_delivered == 0
    assert dashboard(Filters(program="PENDIDIKAN")).packages_delivered == 0


def test_a_draft_does_not_count(cast):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
    from tests.donations.conftest import setup_donations

    don = setup_donations(cast)
    allocation = make_allocation(cast, don, quantity=5)
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    draft = draft_for(delivery, cast.executor)
    assert dashboard(Filters()).packages_delivered == 0
    sign_all(cast, draft)
    assert dashboard(Filters()).packages_delivered == 5  # the signature invalidated the cache
