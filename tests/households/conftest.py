"""Household fixtures on top of the shared cast: valid numbers, a list for two RWs and a
signed BAST to the cast's RW (31.71.01.1001.001, ketua RW ``cast.ketua_rw``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from ksbb.distribution.models import Handover
from ksbb.households.models import Household
from ksbb.households.services import households_import
from tests.conftest import VILLAGE_A, VILLAGE_OTHER
from tests.distribution.conftest import delivered, dist  # noqa: F401 (fixtures)

RW_A = f"{VILLAGE_A}.001"
RW_A2 = f"{VILLAGE_A}.002"
RW_OTHER = f"{VILLAGE_OTHER}.001"
GAMBIR = "317101"  # district of village A (KKs issued there belong to its RWs)


def nik(serial: int, *, woman: bool = False, district: str = GAMBIR) -> str:
    day = 15 + (40 if woman else 0)
    return f"{district}{day:02d}0585{serial:04d}"


def kk(serial: int, *, district: str = GAMBIR) -> str:
    return f"{district}010120{serial:04d}"


def row(serial: int, *, rw: str = RW_A, rt: str = "1", members: str = "4", decile: str = "2",
        kk_: str | None = None, nik_: str | None = None, name: str | None = None
        ) -> dict[str, str]:
    return {"rw_code": rw, "rt": rt, "kk": kk_ or kk(serial), "nik": nik_ or nik(serial),
            "name": name or f"Kepala Keluarga {serial}", "members": members, "decile": decile}


def rows_of(*records: dict[str, str]) -> Any:
    numbered = [(n, r) for n, r in enumerate(records, start=2)]
    return lambda: iter(numbered)


@dataclass
class Lists:
    households: list[Household]


@pytest.fixture
def lists(cast) -> Lists:  # type: ignore[no-untyped-def]
    """Six households in RW A (RT 1 and 2), two in RW A2, one in the other village."""
    records = [row(i, rt="1" if i <= 3 else "2") for i in range(1, 7)]
    records += [row(10, rw=RW_A2), row(11, rw=RW_A2)]
    records += [row(20, rw=RW_OTHER, kk_=kk(20, district="317501"))]
    report = households_import(rows=rows_of(*records), by=cast.assessor)
    assert report.ok, report.errors
    return Lists(list(Household.objects.order_by("pk")))


@pytest.fixture
def bast(cast, delivered) -> Handover:  # type: ignore[no-untyped-def]  # noqa: F811
    """A signed BAST of 40 sembako packages to RW A."""
    from tests.distribution.conftest import draft_for, sign_all

    return sign_all(cast, draft_for(delivered, cast.executor))
