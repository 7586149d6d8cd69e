"""Statistics fixtures: received pledges written straight to the models (the donations
services are tested elsewhere), with dates of receipt chosen by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from ksbb.accounts.models import Organization
from ksbb.areas.models import Area
from ksbb.donations.models import CollaboratorProfile, Pledge, Program
from ksbb.stats.rollups import rebuild_stale_and_bump
from ksbb.stats.selectors import stats_invalidate

JAKARTA = ZoneInfo("Asia/Jakarta")
SELATAN, TIMUR, UTARA, PUSAT, BARAT, SERIBU = "31.74", "31.75", "31.72", "31.71", "31.73", "31.01"
# Design, May 2021: shares of aid by regency and of donors by kind, in percent.
MAY_2021_REGENCIES = [(SELATAN, 32), (TIMUR, 21), (UTARA, 16), (PUSAT, 15), (BARAT, 14),
                      (SERIBU, 2)]
MAY_2021_KINDS = [("social_org", 51), ("business", 31), ("individual", 9), ("community", 5),
                  ("government", 4)]
UNIT = 1_000_000  # rupiah per percent point: Rp 100.000.000 in all


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def at_jakarta(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=JAKARTA)


@pytest.fixture
def make_collaborator(jakarta: None) -> Callable[..., Organization]:
    def make(name: str, kind: str | None, area: str | None = None) -> Organization:
        org = Organization.objects.create(
            kind=Organization.Kind.COLLABORATOR, name=name,
            area=Area.objects.get(code=area) if area else None)
        if kind:
            CollaboratorProfile.objects.create(organization=org, collaborator_kind=kind,
                                               contact_email=f"{kind}@example.org")
        return org

    return make


@pytest.fixture
def aggregator(jakarta: None) -> Organization:
    return Organization.objects.create(kind=Organization.Kind.AGGREGATOR, name="BAZNAS DKI")


@pytest.fixture
def make_pledge(aggregator: Organization) -> Callable[..., Pledge]:
    def make(collaborator: Organization, *, amount: int | None = None,
             item: Any = None, quantity: int | None = None, program: str = "PANGAN",
             area: str | None = None, state: str = Pledge.State.RECEIVED,
             received_at: dt.datetime | None = None) -> Pledge:
        received = state not in (Pledge.State.SUBMITTED, Pledge.State.CANCELLED,
                                 Pledge.State.REJECTED)
        goods = item is not None
        pledge = Pledge.objects.create(
            collaborator=collaborator, aggregator=aggregator,
            kind=Pledge.Kind.GOODS if goods else Pledge.Kind.MONEY,
            program=item.program if goods else Program.objects.get(code=program),
            item=item, quantity=quantity if goods else None,
            amount_rupiah=None if goods else amount,
            received_quantity=quantity if goods and received else None,
            received_amount=amount if not goods and received else None,
            preferred_area=Area.objects.get(code=area) if area else None, state=state,
            received_at=(received_at or at_jakarta(2020, 6, 3)) if received else None)
        return pledge

    return make


def northwest_corner(rows: list[tuple[str, int]],
                     cols: list[tuple[str, int]]) -> list[tuple[str, str, int]]:
    """Cells (row key, column key, amount) whose row and column sums are the given ones."""
    rows_left = [[k, v] for k, v in rows]
    cols_left = [[k, v] for k, v in cols]
    cells = []
    i = j = 0
    while i < len(rows_left) and j < len(cols_left):
        amount = min(rows_left[i][1], cols_left[j][1])
        if amount:
            cells.append((rows_left[i][0], cols_left[j][0], amount))
        rows_left[i][1] -= amount
        cols_left[j][1] -= amount
        if rows_left[i][1] == 0:
            i += 1
        else:
            j += 1
    return cells


@pytest.fixture
def may_2021(make_collaborator: Any, make_pledge: Any) -> dict[str, Organization]:
    """Received money pledges in the proportions presented in May 2021 (Rp 100 juta).

    The government donor's pledges name no preferred area: they count in its own area
    (a village of Kepulauan Seribu), which is how its 2% lands there.
    """
    orgs = {kind: make_collaborator(f"Donor {kind}", kind) for kind, _pct in MAY_2021_KINDS}
    orgs["government"].area = Area.objects.get(code="31.01.01.1001")
    orgs["government"].save()
    for kind, regency, points in northwest_corner(MAY_2021_KINDS, MAY_2021_REGENCIES):
        own_area = kind == "government" and regency == SERIBU
        make_pledge(orgs[kind], amount=points * UNIT, area=None if own_area else regency)
    stats_invalidate()
    # A bulk load is followed by a rebuild (`ksbb stats_rebuild`): pages never rebuild.
    rebuild_stale_and_bump()
    return orgs
