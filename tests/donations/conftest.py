"""Donations fixtures on top of the shared cast: both aggregators hold a verified licence,
the collaborator organisation has its profile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from ksbb.donations.models import Item, Pledge, Program
from ksbb.donations.services import (
    aggregator_profile_create,
    aggregator_verify,
    collaborator_profile_create,
    pledge_receive,
    pledge_submit,
)
from tests.conftest import SETUP


@dataclass
class Donations:
    pangan: Program
    sembako: Item
    ready_meal: Item


def setup_donations(cast) -> Donations:  # type: ignore[no-untyped-def]
    """Also used by the API tests (tests/api/test_donations_api.py)."""
    valid_until = timezone.localdate() + dt.timedelta(days=365)
    for org in (cast.aggregator_org, cast.outsider_org):
        aggregator_profile_create(organization=org, licence_number=f"KEMENSOS-{org.pk}",
                                  licence_valid_until=valid_until, by=SETUP)
        aggregator_verify(aggregator=org, by=cast.admin)
    collaborator_profile_create(organization=cast.collaborator_org, kind="business",
                                email="csr@sembako.example", by=SETUP)
    pangan = Program.objects.get(code="PANGAN")
    return Donations(pangan, pangan.items.get(name="Paket sembako"),
                     pangan.items.get(name="Makanan siap saji"))


@pytest.fixture
def don(cast) -> Donations:  # type: ignore[no-untyped-def]
    return setup_donations(cast)


@pytest.fixture
def goods_pledge(cast, don) -> Pledge:  # type: ignore[no-untyped-def]
    return pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                         item=don.sembako, quantity=100, by=cast.collaborator)


@pytest.fixture
def money_pledge(cast, don) -> Pledge:  # type: ignore[no-untyped-def]
    return pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                         program=don.pangan, amount=1_000_000, by=cast.collaborator)


@pytest.fixture
def received_money(cast, money_pledge) -> Pledge:  # type: ignore[no-untyped-def]
    return pledge_receive(pledge=money_pledge, received_amount=900_000, by=cast.aggregator)
