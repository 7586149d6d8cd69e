import datetime as dt

import pytest

from ksbb.distribution.models import Delivery
from tests.distribution.conftest import make_allocation
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db

URL = "/backoffice/deliveries/schedule/"


@pytest.fixture
def waiting(cast):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    return make_allocation(cast, don), make_allocation(cast, don, recipient=cast.other_recipient)


@pytest.mark.parametrize(("who", "status"), [
    ("assessor", 200), ("aggregator", 200), ("outsider", 200), ("executor", 403),
    ("kelurahan", 403), ("ketua_rw", 403), ("collaborator", 403),
])
def test_who_may_open_it(cast, client_for, who, status):  # type: ignore[no-untyped-def]
    assert client_for(cast.users[who]).get(URL).status_code == status


def test_aggregator_sees_only_its_own_allocations(cast, client_for, waiting):  # type: ignore[no-untyped-def]
    mine = client_for(cast.aggregator).get(URL).content.decode()
    assert f'value="{waiting[0].pk}"' in mine
    other = client_for(cast.outsider).get(URL).content.decode()
    assert f'value="{waiting[0].pk}"' not in other
    assert "Nothing to schedule" in other


def test_schedule_a_delivery(cast, client_for, waiting):  # type: ignore[no-untyped-def]
    first, _second = waiting
    response = client_for(cast.aggregator).post(URL, {
        "allocation": [first.pk], "executor": cast.executor_org.pk,
        "scheduled_for": (dt.date.today() + dt.timedelta(days=2)).isoformat()})
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.recipient == cast.recipient and delivery.executor == cast.executor_org
    page = client_for(cast.aggregator).get(URL).content.decode()
    assert f'value="{first.pk}"' not in page  # on a delivery now


def test_refusals_name_the_problem(cast, client_for, waiting):  # type: ignore[no-untyped-def]
    client = client_for(cast.assessor)
    response = client.post(URL, {"allocation": [a.pk for a in waiting],
                                 "executor": cast.executor_org.pk, "scheduled_for": "2026-12-01"})
    assert response.status_code == 400
    assert "one recipient only" in response.content.decode()
    response = client.post(URL, {"allocation": [waiting[0].pk], "scheduled_for": "tomorrow"})
    body = response.content.decode()
    assert "Choose an executor" in body and "YYYY-MM-DD" in body
    assert not Delivery.objects.exists()
