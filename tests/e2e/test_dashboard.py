"""The public dashboard and the coverage page in a real browser (issue #6): received
pledges of several collaborator kinds and regencies; the charts draw (an ECharts instance
and its drawing, SVG renderer here, in every chart container); the big numbers on the page
are the figures of /api/v1/stats/dashboard/ fetched by the same browser; /coverage/ shows
its rows and, with two boundaries loaded, its map.

Headless Chromium from the system, driven by Playwright for Python; screenshots at desktop
(1280) and phone (390) widths go to test-artifacts/dashboard/ (not committed).
"""

from __future__ import annotations

import re

import pytest

from ksbb.accounts.models import Organization
from ksbb.allocation.models import Allocation
from ksbb.areas.models import Area
from ksbb.areas.services import areas_load_reference
from ksbb.core.domain import SystemActor
from ksbb.donations.models import CollaboratorProfile, Item, Pledge, Program
from ksbb.needs.models import AssessmentRound, Need, Recipient
from ksbb.stats.boundaries import boundaries_load
from ksbb.stats.rollups import rebuild_stale_and_bump
from ksbb.stats.selectors import stats_invalidate
from tests.e2e.browser import DESKTOP, shots
from tests.stats.conftest import at_jakarta

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# (collaborator kind, regency of the preferred area, rupiah)
PLEDGES = [("social_org", "31.74", 32_000_000), ("business", "31.75", 21_000_000),
           ("individual", "31.72", 16_000_000), ("community", "31.71", 15_000_000),
           ("government", "31.73", 14_000_000), ("social_org", "31.01", 2_000_000)]


def _seed() -> None:
    areas_load_reference(by=SystemActor("test"), provinces=["31"])
    aggregator = Organization.objects.create(kind=Organization.Kind.AGGREGATOR,
                                             name="BAZNAS DKI")
    pangan = Program.objects.get(code="PANGAN")
    donors: dict[str, Organization] = {}
    for n, (kind, regency, amount) in enumerate(PLEDGES):
        if kind not in donors:
            donors[kind] = Organization.objects.create(
                kind=Organization.Kind.COLLABORATOR, name=f"Donor {kind}")
            CollaboratorProfile.objects.create(organization=donors[kind],
                                               collaborator_kind=kind,
                                               contact_email=f"{kind}@example.org")
        Pledge.objects.create(
            collaborator=donors[kind], aggregator=aggregator, kind=Pledge.Kind.MONEY,
            program=pangan, amount_rupiah=amount, received_amount=amount,
            preferred_area=Area.objects.get(code=regency), state=Pledge.State.RECEIVED,
            received_at=at_jakarta(2020, 5, 4 + 7 * (n % 3)))
    sembako = Item.objects.get(code="sembako")
    goods = Pledge.objects.create(
        collaborator=donors["business"], aggregator=aggregator, kind=Pledge.Kind.GOODS,
        program=pangan, item=sembako, quantity=100, received_quantity=100,
        preferred_area=Area.objects.get(code="31.74"),
        state=Pledge.State.RECEIVED, received_at=at_jakarta(2020, 5, 20))
    stats_invalidate()
    # Needs and coverage for /coverage/.
    food = AssessmentRound.objects.create(name="Pangan", program=pangan,
                                          period_start=at_jakarta(2020, 5, 1).date(),
                                          period_end=at_jakarta(2020, 5, 31).date())
    for code, need, given in (("31.71.01.1001", 80, 60), ("31.74.01.1001", 50, 10)):
        recipient = Recipient.objects.create(kind=Recipient.Kind.ORPHANAGE,
                                             name=f"Panti {code}",
                                             area=Area.objects.get(code=code))
        n = Need.objects.create(round=food, recipient=recipient, item=sembako, quantity=need)
        Allocation.objects.create(pledge=goods, need=n, recipient=recipient, item=sembako,
                                  quantity=given)
    # Two square boundaries: the coverage page draws its map.
    boundaries_load(features=[
        {"type": "Feature", "properties": {"code": code}, "geometry": {
            "type": "Polygon", "coordinates": [[[x, -6.3], [x + .1, -6.3], [x + .1, -6.2],
                                                [x, -6.2], [x, -6.3]]]}}
        for code, x in (("3171", 106.8), ("3174", 106.9))], by=SystemActor("test"))
    # A bulk load is followed by a rebuild: pages never rebuild (they queue it).
    rebuild_stale_and_bump()


def _digits(text: str) -> int:
    return int(re.sub(r"\D", "", text) or 0)


def test_dashboard_and_coverage(live_server, browser):  # type: ignore[no-untyped-def]
    _seed()
    base = live_server.url

    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{base}/")
    charts = page.locator("[data-chart]")
    # Where it came from: five shares and rupiah per week. Nothing is handed over in
    # this data, so where aid went shows its "nothing delivered yet" notes.
    assert charts.count() == 6
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-chart]')].every(
            el => window.echarts && echarts.getInstanceByDom(el)
                  && el.querySelector('canvas, svg'))""", timeout=15_000)
    api = page.request.get(f"{base}/api/v1/stats/dashboard/")
    assert api.ok
    figures = api.json()
    assert figures["total_collected"] == 100_000_000 + 100 * 300_000
    for element_id, key in (("total-collected", "total_collected"),
                            ("packages-delivered", "packages_delivered"),
                            ("collaborators", "collaborators"),
                            ("recipients-reached", "recipients_reached")):
        assert _digits(page.inner_text(f"#{element_id}")) == figures[key], element_id
    assert figures["collaborators"] == 5
    assert {s["key"] for s in figures["by_regency"]} == {r for _k, r, _v in PLEDGES}
    shots(page, "dashboard", "dashboard")

    page.click("#link-coverage")
    page.wait_for_url(re.compile(r"/coverage/$"))
    api = page.request.get(f"{base}/api/v1/stats/coverage/").json()
    rows = page.locator("#table-coverage tbody tr")
    assert [rows.nth(i).get_attribute("data-code") for i in range(rows.count())] == [
        r["code"] for r in api["rows"]] == ["31.71", "31.74"]
    assert _digits(page.inner_text("#coverage-need")) == api["need"] == 130
    # 70 allocated + the 30 of the goods pledge meant for Jakarta Selatan that wait
    # for allocation (the ledger's "covered", ksbb.stats.ledger).
    assert _digits(page.inner_text("#coverage-covered")) == api["covered"] == 100
    page.wait_for_function(
        """() => { const el = document.getElementById('coverage-map');
            return window.echarts && echarts.getInstanceByDom(el)
                   && el.querySelector('canvas, svg'); }""", timeout=15_000)
    shots(page, "dashboard", "coverage")
    page.click(".coverage-bars a >> nth=0")
    page.wait_for_url(re.compile(r"area=31\.71$"))
    assert page.locator(".breadcrumbs [aria-current=page]").inner_text()
    shots(page, "dashboard", "coverage-regency")
