"""Issue 13, observation 5: the dashboard tells where aid went, not only where it came from.

Seen before: all delivered aid went to Jakarta Pusat, yet the only chart by regency showed
rupiah collected, placed by the donor's area (Selatan); no RW-versus-institution share on the
page, no distribution per regency, no map (boundaries not loaded), one dot a week.
"""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from ksbb.stats.models import AreaBoundary
from ksbb.stats.selectors import Filters, dashboard
from tests.stats.test_rollups import _run, _world

pytestmark = pytest.mark.django_db


def _deliver_to_pusat_from_selatan(cast):  # type: ignore[no-untyped-def]
    world = _world(cast)
    # A donor who chose Jakarta Selatan (31.74) gives 40 packages, received in full...
    _run(("goods", 0, 0, 40, 4, 1, 20), cast, world)
    # ...all handed over in Jakarta Pusat (the cast's RW in 31.71.01.1001), in two weeks.
    _run(("deliver", 0, 0, 10, 4, 15), cast, world)
    _run(("deliver", 0, 0, 10, 4, 1), cast, world)
    return world


def test_delivered_aid_is_placed_by_the_recipients_area(cast):  # type: ignore[no-untyped-def]
    _deliver_to_pusat_from_selatan(cast)
    d = dashboard(Filters())
    assert [(s.key, s.percent) for s in d.by_regency] == [("31.74", 100.0)]  # came from
    assert [(s.key, s.percent) for s in d.delivered_by_regency] == [("31.71", 100.0)]
    assert [s.key for s in d.delivered_by_district] == ["31.71.01"]
    assert [s.key for s in d.delivered_by_village] == ["31.71.01.1001"]
    assert [(s.key, s.percent) for s in d.by_recipient_kind] == [("rw", 100.0)]
    assert d.delivered_value == 20 * 300_000 and d.packages_delivered == 20
    assert [s.value for s in d.collaborators_by_kind] == [1]
    assert len(d.weekly_delivered) >= 2  # two weeks apart: more than one dot
    # The regency filter follows the recipient for what was delivered.
    assert dashboard(Filters(regency="31.74")).delivered_value == 0
    assert dashboard(Filters(regency="31.71")).delivered_value == 20 * 300_000


def test_the_page_shows_both_stories_labelled_with_tables(cast, client):  # type: ignore[no-untyped-def]
    _deliver_to_pusat_from_selatan(cast)
    html = client.get("/", HTTP_COOKIE="django_language=en").content.decode()
    assert 'id="where-it-went"' in html and 'id="where-it-came-from"' in html
    assert "Delivered, by the recipient&#x27;s regency/city" in html
    assert "Collected, by the donor&#x27;s regency/city" in html
    went = re.search(r'<table id="table-delivered_by_regency">.*?</table>', html, re.S)
    assert went and 'data-key="31.71"' in went.group(0) and "31.74" not in went.group(0)
    for key in ("by_recipient_kind", "delivered_by_district", "delivered_by_village",
                "delivered_by_item", "collaborators_by_kind", "weekly_delivered"):
        assert f'id="table-{key}"' in html, key
    api = client.get("/api/v1/stats/dashboard/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [r["key"] for r in api["delivered_by_regency"]] == ["31.71"]


def test_areas_come_with_their_boundaries_and_the_map_draws(cast, client):  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("load_areas", province=["31"], no_progress=True, stdout=out)
    assert "boundaries:" in out.getvalue()
    assert AreaBoundary.objects.filter(area__code__startswith="31.").count() == 6 + 44 + 267
    assert AreaBoundary.objects.filter(area_id="31").exists()  # the province, nationally
    again = StringIO()
    call_command("load_boundaries", "--shipped", stdout=again)
    assert "0 created, 0 updated" in again.getvalue()
    geo = json.loads(client.get("/maps/areas.geojson").content)
    assert sorted(f["properties"]["code"] for f in geo["features"]) == [
        "31.01", "31.71", "31.72", "31.73", "31.74", "31.75"]
    villages = json.loads(client.get("/maps/areas.geojson?parent=31.71.01").content)
    assert len(villages["features"]) == 6  # Gambir's kelurahan
    assert client.get("/maps/areas.geojson?parent=31.71.01.1001").status_code == 404
    _deliver_to_pusat_from_selatan(cast)
    html = client.get("/").content.decode()
    assert 'data-area-map="map-data"' in html and 'id="map-data"' in html
    assert "CC BY-IGO" in html  # the attribution under the map
    drill = client.get("/?area=31.71.01.1001").content.decode()
    assert cast.recipient.area_id in drill  # the village's RWs, as a table


def test_the_need_map_is_a_public_choropleth_with_pledge_links(cast, client):  # type: ignore[no-untyped-def]
    from ksbb.needs.models import Need
    from ksbb.needs.services import need_set

    call_command("load_areas", province=["31"], no_progress=True, stdout=StringIO())
    _deliver_to_pusat_from_selatan(cast)
    latest = Need.objects.filter(recipient=cast.recipient).latest("pk")
    need_set(round=latest.round, recipient=cast.recipient, item=latest.item, quantity=500,
             priority=2, by=cast.assessor)  # more than what came: an open need
    html = client.get("/donations/needs/").content.decode()
    assert 'data-area-map="need-map-data"' in html
    village = client.get(f"/donations/needs/?within={cast.recipient.area.parent_id}"
                         "&item=sembako").content.decode()
    assert f"recipient={cast.recipient.pk}" in village  # pledge for this RW, prefilled
    assert "Still needed" in village or "Masih dibutuhkan" in village
