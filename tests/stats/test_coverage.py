"""Need against coverage by area (issue #6): the selector's figures computed by hand, the
page at /coverage/ and the API at /api/v1/stats/coverage/ showing the same rows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from ksbb.allocation.models import Allocation
from ksbb.areas.models import Area
from ksbb.donations.models import Item
from ksbb.needs.models import AssessmentRound, Need, Recipient
from ksbb.stats.coverage import coverage
from ksbb.stats.models import AreaBoundary

RW_A1, RW_A2, RW_B1, RW_O = ("31.71.01.1001.001", "31.71.01.1001.002", "31.71.01.1002.001",
                             "31.75.01.1001.001")


def _round(program: str, state: str = AssessmentRound.State.OPEN) -> AssessmentRound:
    from ksbb.donations.models import Program

    return AssessmentRound.objects.create(
        name=f"{program} {state}", program=Program.objects.get(code=program), state=state,
        period_start=dt.date(2020, 5, 1), period_end=dt.date(2020, 5, 31))


@pytest.fixture
def scene(cast: Any, make_collaborator: Any, make_pledge: Any) -> dict[str, Any]:
    """Needs and allocations whose sums are worked out in the tests below."""
    sembako, alat = Item.objects.get(code="sembako"), Item.objects.get(code="alat-tulis")
    food, school = _round("PANGAN"), _round("PENDIDIKAN")
    closed = _round("PANGAN", AssessmentRound.State.CLOSED)
    recipients = {code: Recipient.objects.get(area_id=code)
                  for code in (RW_A1, RW_A2, RW_B1, RW_O)}
    recipients["orphanage"] = Recipient.objects.create(
        kind=Recipient.Kind.ORPHANAGE, name="Panti", area=Area.objects.get(code="31.71.01.1001"))
    donor = make_collaborator("Donor", "business")
    food_pledge = make_pledge(donor, item=sembako, quantity=2000)
    school_pledge = make_pledge(donor, item=alat, quantity=100)

    def need(rnd: AssessmentRound, who: str, item: Item, qty: int) -> Need:
        return Need.objects.create(round=rnd, recipient=recipients[who], item=item, quantity=qty)

    def allocate(n: Need, qty: int, returned: int = 0,
                 state: str = Allocation.State.ACTIVE) -> None:
        Allocation.objects.create(pledge=school_pledge if n.item == alat else food_pledge,
                                  need=n, recipient=n.recipient, item=n.item, quantity=qty,
                                  returned_quantity=returned, state=state)

    n_a1 = need(food, RW_A1, sembako, 100)
    n_a2 = need(food, RW_A2, sembako, 50)
    need(food, RW_B1, sembako, 40)
    n_o = need(food, RW_O, sembako, 200)
    n_orph = need(food, "orphanage", sembako, 10)
    n_school = need(school, RW_A1, alat, 30)
    n_closed = need(closed, RW_A1, sembako, 999)
    allocate(n_a1, 60, returned=10)  # 50 effective
    allocate(n_a2, 50)
    allocate(n_a2, 20, state=Allocation.State.CANCELLED)  # not counted
    allocate(n_o, 50)
    allocate(n_orph, 10)
    allocate(n_school, 15)
    # A need is a level: what the recipient got in an earlier round counts against it
    # (as the allocation engine counts it); the closed round's need of 999 does not.
    allocate(n_closed, 5)
    return recipients


def _rows(result: Any) -> list[tuple[str, int, int, float | None]]:
    return [(r.code, r.need, r.covered, r.percent) for r in result.rows]


def test_regencies_all_programmes(scene: Any) -> None:
    result = coverage()
    # 31.71: 100 + 50 + 40 + 10 + 30 = 230 needed; 50 + 5 + 50 + 10 + 15 = 130 covered.
    assert _rows(result) == [("31.71", 230, 130, 56.5), ("31.75", 200, 50, 25.0)]
    assert (result.need, result.covered, result.percent) == (430, 180, 41.9)
    assert result.rows[0].ratio == round(130 / 230, 4)
    assert result.child_level == Area.Level.REGENCY and result.breadcrumbs == []


def test_programme_filter(scene: Any) -> None:
    result = coverage(program="PANGAN")
    assert _rows(result) == [("31.71", 200, 115, 57.5), ("31.75", 200, 50, 25.0)]
    assert _rows(coverage(program="PENDIDIKAN")) == [("31.71", 30, 15, 50.0)]
    assert coverage(program="UMKM").rows == []


def test_drill_down_district_village_rw(scene: Any) -> None:
    district = coverage(Area.objects.get(code="31.71.01"))
    assert _rows(district) == [("31.71.01.1001", 190, 130, 68.4),
                               ("31.71.01.1002", 40, 0, 0.0)]
    assert [c.code for c in district.breadcrumbs] == ["31", "31.71", "31.71.01"]
    assert district.rows[0].has_children
    village = coverage(Area.objects.get(code="31.71.01.1001"))
    # The orphanage sits on the village itself: in the village's total, in no RW row.
    assert _rows(village) == [(RW_A1, 130, 70, 53.8), (RW_A2, 50, 50, 100.0)]
    assert (village.need, village.covered) == (190, 130)
    assert not village.rows[0].has_children
    rw = coverage(Area.objects.get(code=RW_A1))
    assert rw.child_level is None and rw.rows == [] and (rw.need, rw.covered) == (130, 70)


def test_nothing_assessed(cast: Any) -> None:
    result = coverage()
    assert result.rows == [] and result.need == 0 and result.percent is None


def test_api_equals_selector(scene: Any, client: Any) -> None:
    url = reverse("stats-coverage")
    body = client.get(url, {"area": "31.71.01", "program": "PANGAN"}).json()
    expected = coverage(Area.objects.get(code="31.71.01"), program="PANGAN").as_dict()
    assert body == json.loads(json.dumps(expected))
    assert [r["code"] for r in client.get(url).json()["rows"]] == ["31.71", "31.75"]
    assert client.get(url, {"area": "99.99"}).status_code == 400
    assert client.get(url, {"program": "NOPE"}).status_code == 400


def test_page_shows_the_selector_rows(scene: Any, client: Any) -> None:
    url = reverse("web:coverage")
    html = client.get(url, {"area": "31.71.01"}).content.decode()
    for row in coverage(Area.objects.get(code="31.71.01")).rows:
        assert f'<tr data-code="{row.code}"><td>{row.name}</td>' in html
    assert "?area=31.71.01.1001" in html  # drill down to the village
    assert '?area=31.71"' in html  # breadcrumb back to the regency
    assert 'id="coverage-need">230<' in html and 'id="coverage-covered">130<' in html
    assert "coverage-map-data" not in html  # no boundaries: bars and table only
    assert client.get(url, {"area": "99.99"}).status_code == 404
    home = client.get(reverse("web:home")).content.decode()
    assert f'href="{url}"' in home


def test_page_draws_a_map_when_boundaries_exist(scene: Any, client: Any) -> None:
    square = {"type": "Polygon", "coordinates": [[[106.8, -6.2], [106.9, -6.2], [106.9, -6.1],
                                                  [106.8, -6.1], [106.8, -6.2]]]}
    AreaBoundary.objects.create(area=Area.objects.get(code="31.71"), level=2,
                                geometry=json.dumps(square))
    response = client.get(reverse("web:coverage"))
    html = response.content.decode()
    assert 'id="coverage-map-data"' in html and "coverage_map.js" in html
    data = response.context["map_data"]
    assert [f["properties"]["name"] for f in data["geojson"]["features"]] == ["31.71"]
    assert {r["name"]: r["value"] for r in data["rows"]} == {"31.71": 56.5, "31.75": 25.0}
    # One level down (districts of 31.71) there is no boundary: no map.
    assert "coverage-map-data" not in client.get(
        reverse("web:coverage"), {"area": "31.71"}).content.decode()
