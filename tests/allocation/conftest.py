"""Allocation fixtures: the donations catalogue and aggregators (tests/donations/conftest),
a food round with needs, and a helper to make received goods pledges."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from tests.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_OTHER
from tests.donations.conftest import Donations, setup_donations

from ksbb.areas.models import Area
from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_receive, pledge_submit
from ksbb.needs.models import AssessmentRound, Need, Recipient
from ksbb.needs.services import need_set, round_open

RW_A1 = f"{VILLAGE_A}.001"
RW_A2 = f"{VILLAGE_A}.002"
RW_B1 = f"{VILLAGE_B}.001"
RW_OTHER = f"{VILLAGE_OTHER}.001"


@pytest.fixture
def don(cast) -> Donations:  # type: ignore[no-untyped-def]
    return setup_donations(cast)


@pytest.fixture
def food_round(cast, don) -> AssessmentRound:  # type: ignore[no-untyped-def]
    return round_open(name="Pangan 2020-05", program="pangan",
                      period_start=datetime.date(2020, 5, 1),
                      period_end=datetime.date(2020, 5, 31), by=cast.assessor)


def rw(code: str) -> Recipient:
    return Recipient.objects.get(kind=Recipient.Kind.RW, area_id=code)


def need(rnd: AssessmentRound, code: str, quantity: int, by: Any, priority: int = 1,
         item: str = "sembako") -> Need:
    return need_set(round=rnd, recipient=rw(code), item=item, quantity=quantity,
                    priority=priority, by=by)


def received(cast: Any, don: Donations, quantity: int, *, area: str | None = None,
             recipient: Recipient | None = None, item: Any = None) -> Pledge:
    pledge = pledge_submit(
        collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
        item=item or don.sembako, quantity=quantity, by=cast.collaborator,
        preferred_area=Area.objects.get(code=area) if area else None, recipient=recipient)
    return pledge_receive(pledge=pledge, received_quantity=quantity, by=cast.aggregator)


@pytest.fixture
def tasks_immediate(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
