"""The donor's need list in a real browser (issue 13, observation 1): after aid was
allocated, delivered and signed for an RW, the list shows it covered and delivered, at desktop
(1280) and phone (390) widths; screenshots go to test-artifacts/need-list/ (not committed).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
from tests.conftest import VILLAGE_A
from tests.distribution.conftest import draft_for, make_allocation, sign_all
from tests.donations.conftest import setup_donations
from tests.e2e.browser import WIDTHS, artifacts
from tests.e2e.signin import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RW = f"{VILLAGE_A}.001"


def test_need_list_shows_delivered_aid(cast: Any, live_server: Any, browser: Any) -> None:
    don = setup_donations(cast)
    allocation = make_allocation(cast, don, quantity=40)  # need 40 for RW 001
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    sign_all(cast, draft_for(delivery, cast.executor))

    out = artifacts("need-list")
    for label, size in WIDTHS.items():
        page = browser.new_context(viewport=size).new_page()
        sign_in(page, live_server.url, "collaborator")
        page.goto(f"{live_server.url}/donations/needs/?within={VILLAGE_A}&item=sembako")
        row = page.locator(f'tr[data-code="{RW}"]')
        cells = [re.sub(r"\D", "", row.locator("td").nth(i).inner_text())
                 for i in range(1, 4)]
        bar = row.locator("td:has(svg.cover)").inner_text()
        # Need, covered, delivered, promised; then the bar at 100 %.
        assert cells == ["40", "40", "40"], cells
        assert "100%" in bar
        assert "Pledge for this recipient" not in row.inner_text()
        page.screenshot(path=str(out / f"village-{label}.png"), full_page=True)
        page.context.close()
