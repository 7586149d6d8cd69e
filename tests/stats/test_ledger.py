"""The ledger (ksbb.stats.ledger): one definition of need, promised, received, allocated,
delivered and covered, shown alike by the need list and the coverage page (issue 13,
observation 1)."""

from __future__ import annotations

from typing import Any

import pytest

from ksbb.stats import ledger
from tests.conftest import VILLAGE_A
from tests.distribution.conftest import delivered, dist, draft, signed  # noqa: F401

pytestmark = pytest.mark.django_db
RW = f"{VILLAGE_A}.001"


def test_need_list_keeps_delivered_aid(cast: Any, signed: Any, client_for: Any) -> None:  # noqa: F811
    """Observation 1: aid allocated, delivered and signed for disappeared from the need
    list (need 40, pledged 0, 0 %) while the coverage page counted it."""
    from ksbb.donations.selectors import need_map_recipients

    rows = {r.code: r for r in need_map_recipients(item_code="sembako", village=VILLAGE_A)}
    row = rows[RW]
    assert (row.need, row.allocated, row.delivered, row.covered) == (40, 40, 40, 40)
    assert row.percent == 100 and row.open_need == 0
    body = client_for(cast.collaborator).get(
        f"/donations/needs/?within={VILLAGE_A}&item=sembako").content.decode()
    assert f'data-code="{RW}"' in body and "100%" in body
    assert "Pledge for this recipient" not in body  # nothing left to give here

    figures = ledger.by_area(ledger.Scope(item="sembako", within=VILLAGE_A))[RW]
    assert (figures.need, figures.covered, figures.delivered) == (40, 40, 40)
    from ksbb.areas.models import Area
    from ksbb.stats.coverage import coverage

    page = coverage(Area.objects.get(code=VILLAGE_A))
    by_code = {r.code: r for r in page.rows}
    assert (by_code[RW].need, by_code[RW].covered) == (40, 40)
