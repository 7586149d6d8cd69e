"""Privacy fixtures: an individual donor registered through the services, with a
pledge received by the cast's aggregator."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ksbb.accounts.models import User
from ksbb.donations.models import CollaboratorProfile, Pledge
from ksbb.donations.services import collaborator_register, pledge_receive, pledge_submit
from tests.conftest import PASSWORD
from tests.donations.conftest import Donations, setup_donations

NIK = "3171011205900001"
PHONE = "0812-3456-7890"
EMAIL = "budi.santoso@example.com"
NAME = "Budi Santoso"


@dataclass
class Donor:
    user: User
    profile: CollaboratorProfile
    pledge: Pledge
    don: Donations


@pytest.fixture
def donor(cast) -> Donor:  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    profile = collaborator_register(kind="individual", name=NAME, email=EMAIL,
                                    password=PASSWORD, phone=PHONE, nik=NIK,
                                    send_verification=False)
    user = User.objects.get(username=EMAIL)
    pledge = pledge_submit(collaborator=profile.organization, aggregator=cast.aggregator_org,
                           item=don.sembako, quantity=40, by=user)
    pledge = pledge_receive(pledge=pledge, received_quantity=40, by=cast.aggregator)
    return Donor(user, profile, pledge, don)
