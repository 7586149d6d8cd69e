"""Two regions in a real browser (issue 18): a donor in Jakarta goes from the national page
down to Kota Bandung's own page and gives to an RW of a Bandung village from its need map;
Bandung's assessor allocates the gift (Jakarta's assessor cannot see it) and accepts the
signed BAST; the national page then shows it in Bandung's row.

Lean on purpose: the browser does what a visitor does (navigation by links, the pledge
form); the back-office steps in between go through the services. Screenshots of the
national and the region page go to test-artifacts/national/ (not committed).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import membership_grant, user_create
from ksbb.allocation.models import Allocation
from ksbb.allocation.services import run_approve, run_start
from ksbb.allocation.tasks import run_execute
from ksbb.areas.services import rws_import
from ksbb.distribution.services import delivery_schedule
from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_receive, region_program_adopt
from ksbb.needs.models import AssessmentRound, Recipient
from ksbb.needs.services import need_set, recipients_ensure_for_rws, round_open
from ksbb.ops.demo import _sign_on_paper
from ksbb.regions.models import Region
from ksbb.regions.services import region_add, region_government, region_link_organization
from ksbb.stats.boundaries import shipped_features
from tests.conftest import PASSWORD, SETUP, _rw_rows
from tests.donations.conftest import setup_donations
from tests.e2e.browser import DESKTOP, shots
from tests.e2e.signin import sign_in
from tests.e2e.test_maps import DRAWN, PIXEL

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
VILLAGE = "32.73.01.1001"  # Sukarasa, Sukasari, Kota Bandung


def _inside(code: str) -> list[float]:
    """A point inside the shipped outline of province ``code``."""
    feature = next(f for f in shipped_features([code]) if f["properties"]["code"] == code)
    geometry = feature["geometry"]
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    ring = max((p[0] for p in polygons), key=len)
    return [sum(x for x, _y in ring) / len(ring), sum(y for _x, y in ring) / len(ring)]


def test_a_jakarta_donor_gives_to_bandung_from_the_national_page(  # type: ignore[no-untyped-def]
        live_server, cast, browser):
    don = setup_donations(cast)
    Organization.objects.filter(pk=cast.collaborator_org.pk).update(area_id="31.71")
    bandung = region_add(code="32.73", name="KSBB Kota Bandung", by=SETUP)
    # The aggregator serves Bandung too (and Jakarta, where it was).
    region_link_organization(region=bandung, organization=cast.aggregator_org, by=SETUP)
    region_program_adopt(region=bandung, program=don.pangan, local_name="Pangan Sehat Bandung",
                         by=cast.admin)
    rws_import(rows=_rw_rows([(VILLAGE, 1)]), by=SETUP)
    recipients_ensure_for_rws(by=SETUP)
    rw = Recipient.objects.get(area_id=f"{VILLAGE}.001")
    assessor = user_create(username="asesor-bandung", password=PASSWORD, by=SETUP)
    membership_grant(user=assessor, role=Role.ASSESSOR, organization=region_government(bandung),
                     by=SETUP)
    today = timezone.localdate()
    rnd = round_open(name="Pangan Kota Bandung", program=don.pangan, period_start=today,
                     period_end=today + dt.timedelta(days=30), by=assessor)
    AssessmentRound.objects.filter(pk=rnd.pk).update(region=bandung)
    rnd.refresh_from_db()
    need_set(round=rnd, recipient=rw, item=don.sembako, quantity=80, priority=1, by=assessor)
    base = live_server.url

    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, base, cast.collaborator.username)
    # The nation, one province down, then Bandung's own page and its need map.
    page.goto(f"{base}/nasional/")
    page.wait_for_function(DRAWN, arg="[data-area-map]", timeout=20_000)
    shots(page, "national", "00-national-map")
    x, y = page.evaluate(PIXEL, ["[data-area-map]", _inside("32")])
    page.mouse.click(x, y)  # West Java, on the map of the provinces
    page.wait_for_url(re.compile(r"/nasional/\?province=32"))
    page.click("#map table a:text-is('Kota Bandung')")
    page.wait_for_url(re.compile(r"/r/kota-bandung/$"))
    assert page.locator("#region-name").inner_text() == "KSBB Kota Bandung"
    shots(page, "national", "01-bandung-page")
    page.click("#link-region-needs")
    page.wait_for_url(re.compile(r"/donations/needs/\?within=32\.73"))
    for code in ("32.73.01", VILLAGE):
        page.click(f"#need-table a[href*='within={code}&']")
        page.wait_for_url(re.compile(rf"within={re.escape(code)}&"))
    page.click(f"#need-table a[href*='recipient={rw.pk}']")
    page.wait_for_url(re.compile(r"/donations/pledges/new/"))
    # The programmes follow the region chosen (htmx): Bandung's own name, then Jakarta's.
    local = page.locator("select[name=program] option", has_text="Pangan Sehat Bandung")
    local.wait_for(state="attached")
    page.select_option("select[name=region]", str(Region.objects.get(code="31").pk))
    local.wait_for(state="detached")
    assert don.pangan.name in page.locator("select[name=program]").inner_text()
    page.select_option("select[name=region]", str(bandung.pk))
    local.wait_for(state="attached")
    page.select_option("select[name=aggregator]", str(cast.aggregator_org.pk))
    page.check("input[name=kind][value=goods]")
    page.fill("input[name=quantity]", "50")
    page.click("main form [type=submit]")
    page.wait_for_url(re.compile(r"/donations/pledges/\d+/$"))
    pledge = Pledge.objects.get()
    assert (pledge.recipient_id, pledge.quantity) == (rw.pk, 50)

    # Received, allocated by Bandung's assessor, handed over and signed.
    pledge_receive(pledge=pledge, received_quantity=50, by=cast.aggregator)
    run = run_execute(run_id=run_start(round=rnd, by=assessor).pk)
    run_approve(run=run, by=assessor)
    allocation = Allocation.objects.get(recipient=rw)
    assert allocation.pledge_id == pledge.pk and allocation.quantity == 50
    # Jakarta's assessor does not see Bandung's allocation, nor its pledge.
    api = APIClient()
    api.force_authenticate(cast.assessor)
    assert api.get(f"/api/v1/allocations/{allocation.pk}/").status_code == 404
    assert api.get(f"/api/v1/allocation_runs/{run.pk}/").status_code == 404
    api.force_authenticate(assessor)
    assert api.get(f"/api/v1/allocations/{allocation.pk}/").status_code == 200
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=today, by=cast.aggregator)
    _sign_on_paper(delivery=delivery, date=today,
                   users={"executor": cast.executor, "assessor": assessor})

    page.goto(f"{base}/nasional/")
    row = page.locator("#table-regions tr[data-region='32.73']")
    assert row.locator("td").nth(3).inner_text() == "50"  # packages delivered in Bandung
    assert page.locator("#table-regions tr[data-region='31'] td").nth(3).inner_text() == "0"
    shots(page, "national", "02-national-after-bast")
