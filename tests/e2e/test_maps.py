"""The maps in a real browser (issue 13): the dashboard's coverage choropleth drills down
from the regencies to a regency's districts by a click; the need map drills from a
district's villages to a village, whose RWs come with a link to pledge for each. Drawn
from the shipped boundaries by the vendored ECharts, under the site's CSP (no inline
script or style: a violation would show as a console error).

Headless Chromium from the system, driven by Playwright for Python; screenshots of the map
section at 1280 and 390 px go to test-artifacts/maps/ (not committed). Four page loads.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ksbb.core.domain import SystemActor
from ksbb.needs.models import Need
from ksbb.needs.services import need_set
from ksbb.stats.boundaries import boundaries_load_shipped, shipped_features
from tests.e2e.browser import DESKTOP, WIDTHS, artifacts
from tests.stats.test_rollups import _run, _world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DRAWN = """(selector) => { const el = document.querySelector(selector);
    return el && !el.hidden && window.echarts && echarts.getInstanceByDom(el)
           && el.querySelectorAll('path').length > 1; }"""
PIXEL = """([selector, lonlat]) => { const el = document.querySelector(selector);
    el.scrollIntoView({block: 'center'});
    const p = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, lonlat);
    const r = el.getBoundingClientRect(); return [r.left + p[0], r.top + p[1]]; }"""


def _shot(page: Any, selector: str, name: str) -> None:
    out = artifacts("maps")
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.wait_for_timeout(300)  # the chart follows the resize
        page.locator(selector).screenshot(path=str(out / f"{name}-{label}.png"))
    page.set_viewport_size(DESKTOP)


def _inside(code: str) -> list[float]:
    """A point inside the shipped outline of ``code`` (its largest ring's vertex mean)."""
    feature = next(f for f in shipped_features(["31"]) if f["properties"]["code"] == code)
    geometry = feature["geometry"]
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    ring = max((p[0] for p in polygons), key=len)
    return [sum(x for x, _y in ring) / len(ring), sum(y for _x, y in ring) / len(ring)]


def _click_at(page: Any, selector: str, code: str) -> None:
    x, y = page.evaluate(PIXEL, [selector, _inside(code)])
    page.mouse.click(x, y)


def test_maps_drill_down(live_server, cast, browser):  # type: ignore[no-untyped-def]
    boundaries_load_shipped(provinces=["31"], by=SystemActor("test"))
    world = _world(cast)
    _run(("goods", 0, 0, 40, 4, 1, 20), cast, world)
    _run(("deliver", 0, 0, 10, 4, 15), cast, world)  # an RW of Gambir, Jakarta Pusat
    _run(("deliver", 0, 1, 10, 4, 3), cast, world)  # an RW of Jakarta Timur
    _run(("deliver", 0, 0, 10, 2, 3), cast, world)  # Gambir again: the need list's round
    latest = Need.objects.filter(recipient=cast.recipient).latest("pk")
    need_set(round=latest.round, recipient=cast.recipient, item=latest.item, quantity=500,
             priority=2, by=cast.assessor)  # more than what came: a donor can still help
    base = live_server.url
    errors: list[str] = []

    page = browser.new_context(viewport=DESKTOP).new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/")  # 1
    page.wait_for_function(DRAWN, arg="[data-area-map]", timeout=20_000)
    _shot(page, "#map", "dashboard-regencies")
    _click_at(page, "[data-area-map]", "31.71")
    page.wait_for_url(re.compile(r"area=31\.71#map$"))  # 2
    page.wait_for_function(DRAWN, arg="[data-area-map]", timeout=20_000)
    assert page.locator("#map .breadcrumbs [aria-current=page]").inner_text()
    rows = page.locator("#map table tbody tr")
    assert rows.first.get_attribute("data-code") == "31.71.01"
    _shot(page, "#map", "dashboard-districts")

    page.goto(f"{base}/donations/needs/?within=31.71.01&item=sembako")  # 3
    page.wait_for_function(DRAWN, arg="[data-area-map]", timeout=20_000)
    _shot(page, "#need-map", "needs-villages")
    _click_at(page, "[data-area-map]", "31.71.01.1001")
    page.wait_for_url(re.compile(r"within=31\.71\.01\.1001"))  # 4
    link = page.locator(f"#need-table tr[data-code='{cast.recipient.area_id}'] a")
    assert f"recipient={cast.recipient.pk}" in (link.last.get_attribute("href") or "")
    _shot(page, "main", "needs-village-rws")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
