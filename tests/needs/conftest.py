from __future__ import annotations

import datetime

import pytest

from ksbb.needs.models import AssessmentRound, Recipient
from ksbb.needs.services import institution_register, institution_verify, round_open
from tests.conftest import VILLAGE_A

RW_A1 = f"{VILLAGE_A}.001"
RW_A2 = f"{VILLAGE_A}.002"
RW_B1 = "31.71.01.1002.001"
RW_OTHER = "31.75.01.1001.001"


@pytest.fixture
def food_round(cast) -> AssessmentRound:  # type: ignore[no-untyped-def]
    return round_open(name="Pangan 2020-05", program="pangan",
                      period_start=datetime.date(2020, 5, 1),
                      period_end=datetime.date(2020, 5, 31), by=cast.assessor)


@pytest.fixture
def orphanage(cast) -> Recipient:  # type: ignore[no-untyped-def]
    from ksbb.areas.models import Area

    r = institution_register(kind=Recipient.Kind.ORPHANAGE, name="Panti Asuhan Harapan",
                             area=Area.objects.get(code=VILLAGE_A), residents=40,
                             address="Jl. Merdeka 1", contact_name="Ibu Sari",
                             contact_phone="0812000", by=cast.assessor)
    return institution_verify(recipient=r, by=cast.assessor)


def csv_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    import io

    from ksbb.core.tables import read_rows

    header = text.strip().splitlines()[0].split(",")
    return list(read_rows(io.BytesIO(text.strip().encode()), required=header))
