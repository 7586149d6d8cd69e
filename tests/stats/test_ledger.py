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
    from ksbb.stats.needmap import need_map_recipients

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
    html = client_for(None).get(f"/coverage/?area={VILLAGE_A}").content.decode()
    assert 'id="coverage-covered">40<' in html and 'id="coverage-delivered">40<' in html


def test_open_data_counts_money_that_bought_goods_as_those_goods(cast: Any) -> None:
    """Observation 2: the dashboard put money spent on packages under "Paket sembako" and
    only the unspent rest under money; open data kept it all under ``money``."""
    from ksbb.donations.services import pledge_receive, pledge_submit, purchase_record
    from ksbb.stats.opendata import dataset_rows
    from ksbb.stats.selectors import MONEY_UNSPENT, dashboard
    from tests.donations.conftest import setup_donations

    don = setup_donations(cast)
    money = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                          program=don.pangan, amount=5_000_000, by=cast.collaborator)
    pledge_receive(pledge=money, received_amount=5_000_000, by=cast.aggregator)
    goods = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                          item=don.sembako, quantity=10, by=cast.collaborator)
    pledge_receive(pledge=goods, received_quantity=10, by=cast.aggregator)
    purchase_record(aggregator=cast.aggregator_org, item=don.sembako, quantity=16,
                    cost_rupiah=4_800_000, supplier="Toko", funding=[(money, 4_800_000)],
                    by=cast.aggregator)

    board = {s.key: s.value for s in dashboard(use_cache=False).by_item}
    value = don.sembako.value_rupiah
    assert board == {str(don.sembako.pk): 10 * value + 4_800_000, MONEY_UNSPENT: 200_000}
    rows = dataset_rows("pledges")
    by_item: dict[str, int] = {}
    units: dict[str, int] = {}
    for r in rows:
        by_item[r["item_code"]] = by_item.get(r["item_code"], 0) + r["value_rupiah"]
        units[r["item_code"]] = units.get(r["item_code"], 0) + r["quantity"]
    assert by_item == {"sembako": 10 * value + 4_800_000, "money": 200_000}
    assert units == {"sembako": 26, "money": 0}
    assert sum(r["pledges"] for r in rows) == 2  # each pledge counted once
    collected = ledger.collected()
    assert collected.by_item == {don.sembako.pk: 10 * value + 4_800_000, None: 200_000}
    assert collected.total == dashboard(use_cache=False).total_collected


def test_scope_by_programme_and_period(cast: Any, signed: Any) -> None:  # noqa: F811
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    everything = ledger.totals(ledger.Scope(within=VILLAGE_A))
    assert (everything.need, everything.allocated, everything.delivered) == (40, 40, 40)
    assert ledger.totals(ledger.Scope(program="PENDIDIKAN")) == ledger.Figures()
    assert ledger.totals(ledger.Scope(program="PANGAN", recipient=cast.recipient.pk)) == (
        everything)
    # Need by the round's period (May 2020), the rest by the day it happened (today).
    may = ledger.totals(ledger.Scope(start=dt.date(2020, 5, 1), end=dt.date(2020, 5, 31)))
    assert (may.need, may.allocated, may.delivered) == (40, 0, 0)
    now = ledger.totals(ledger.Scope(start=today, end=today))
    assert (now.need, now.allocated, now.delivered) == (0, 40, 40)
    assert everything.as_dict()["covered"] == 40 and everything.percent == 100.0
