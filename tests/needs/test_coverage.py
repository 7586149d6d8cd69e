"""Coverage per area, with figures worked out by hand.

Needs: RW A1 40 + 10, RW A2 25, RW B1 5 (all in district 31.71.01, regency 31.71),
orphanage on village A 30 (counts in village and above, not in any RW), RW OTHER 7
(regency 31.75).
"""

from __future__ import annotations

import pytest

from ksbb.needs.selectors import need_coverage_by_area
from ksbb.needs.services import need_set
from tests.needs.conftest import RW_A1, RW_A2, RW_B1, RW_OTHER

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs(cast, food_round, orphanage):  # type: ignore[no-untyped-def]
    from ksbb.needs.models import Recipient

    def put(recipient, item, quantity):  # type: ignore[no-untyped-def]
        need_set(round=food_round, recipient=recipient, item=item, quantity=quantity,
                 priority=2, by=cast.assessor)

    rw = {r.area_id: r for r in Recipient.objects.filter(kind="rw")}
    put(rw[RW_A1], "sembako", 40)
    put(rw[RW_A1], "siap-saji", 10)
    put(rw[RW_A2], "sembako", 25)
    put(rw[RW_B1], "sembako", 5)
    put(orphanage, "sembako", 30)
    put(rw[RW_OTHER], "sembako", 7)
    return food_round


def _figures(rows):  # type: ignore[no-untyped-def]
    return {r.code: r.need for r in rows}


def test_regency_level(needs):  # type: ignore[no-untyped-def]
    rows = need_coverage_by_area(needs, 2)
    assert _figures(rows) == {"31.71": 110, "31.75": 7}
    assert [r.name for r in rows] == ["Kota Administrasi Jakarta Pusat",
                                      "Kota Administrasi Jakarta Timur"]
    assert all((r.pledged, r.covered, r.ratio) == (0, 0, 0.0) for r in rows)


def test_drill_down_to_villages_and_rws(needs):  # type: ignore[no-untyped-def]
    assert _figures(need_coverage_by_area(needs, 3, within="31.71")) == {"31.71.01": 110}
    assert _figures(need_coverage_by_area(needs, 4, within="31.71.01")) == {
        "31.71.01.1001": 105, "31.71.01.1002": 5}
    # The orphanage sits on the village, so the RWs add up to 75, not 105.
    assert _figures(need_coverage_by_area(needs, 5, within="31.71.01.1001")) == {
        RW_A1: 50, RW_A2: 25}


def test_item_filter_and_map_data(needs):  # type: ignore[no-untyped-def]
    rows = need_coverage_by_area(needs, 5, item="sembako")
    assert _figures(rows) == {RW_A1: 40, RW_A2: 25, RW_B1: 5, RW_OTHER: 7}
    feature = rows[0].as_map()
    assert feature == {"code": RW_A1, "name": feature["name"], "level": 5, "need": 40,
                       "pledged": 0, "covered": 0, "ratio": 0.0}


def test_other_round_is_empty(cast, needs):  # type: ignore[no-untyped-def]
    import datetime

    from ksbb.needs.services import round_open

    other = round_open(name="B", program="pangan", period_start=datetime.date(2020, 6, 1),
                       period_end=datetime.date(2020, 6, 30), by=cast.assessor)
    assert need_coverage_by_area(other, 2) == []
