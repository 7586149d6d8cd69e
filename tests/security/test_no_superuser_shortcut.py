"""A platform administrator is a Django superuser, and Django's ``has_perm`` lets a
superuser do anything. The domain services ask the role rules instead
(``ksbb.core.domain.may``): the administrator manages the platform, but does not set
needs, allocate, confirm pledges or schedule deliveries for the people whose job that is.
"""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from ksbb.allocation.services import run_start
from ksbb.core.domain import NotAllowed
from ksbb.needs.models import Need
from ksbb.needs.services import need_set, round_open
from tests.needs.conftest import food_round  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_platform_admin_cannot_change_a_need_over_the_api(cast, food_round):  # type: ignore[no-untyped-def]  # noqa: F811
    assert cast.admin.is_superuser
    need = need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=4,
                    priority=1, by=cast.assessor)
    api = _api(cast.admin)
    assert api.get(f"/api/v1/needs/{need.pk}/").status_code == 200  # reads, yes
    response = api.patch(f"/api/v1/needs/{need.pk}/", {"quantity": 99}, format="json")
    assert response.status_code == 403, response.content
    response = api.post("/api/v1/needs/", {"round": food_round.pk,
                                           "recipient": cast.recipient.pk, "item": "beras",
                                           "quantity": 5, "priority": 1}, format="json")
    assert response.status_code == 403, response.content
    need.refresh_from_db()
    assert need.quantity == 4 and Need.objects.count() == 1


def test_platform_admin_gets_no_shortcut_into_domain_services(cast, food_round):  # type: ignore[no-untyped-def]  # noqa: F811
    with pytest.raises(NotAllowed):
        need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=4,
                 priority=1, by=cast.admin)
    with pytest.raises(NotAllowed):
        round_open(name="x", program="pangan", period_start=datetime.date(2020, 6, 1),
                   period_end=datetime.date(2020, 6, 30), by=cast.admin)
    with pytest.raises(NotAllowed):
        run_start(round=food_round, by=cast.admin)
    assert not Need.objects.exists()
