"""The handover in a real browser (issue #5, "Done when"): the executor completes a
delivery with a BAST that the ketua RW and the kelurahan officer confirm on their phones;
the BAST's PDF carries a QR code which, decoded from the rendered page, opens the public
verification page, and that page shows the BAST valid with the PDF's fingerprint.

Debian's Chromium through Playwright (no browser download); the PDF is rendered with
pypdfium2 and the QR code read with zxing-cpp, both self-contained wheels.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from ksbb.distribution.models import Handover
from ksbb.distribution.services import delivery_schedule
from tests.conftest import PASSWORD
from tests.distribution.conftest import make_allocation
from tests.donations.conftest import setup_donations
from tests.e2e.browser import PHONE, shots
from tests.e2e.signin import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]



def _shot(page: Any, step: str) -> None:
    shots(page, "handover-journey", step, then=PHONE)


def _signed_in(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, base, username, PASSWORD)
    return page


def _qr_text_of_pdf(pdf: bytes) -> str:
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=3).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found on the BAST's first page"
    return str(found[0].text)


def test_executor_completes_a_handover_and_the_qr_code_verifies_it(  # type: ignore[no-untyped-def]
        live_server, cast, settings, browser):
    settings.KSBB_PUBLIC_URL = live_server.url

    don = setup_donations(cast)
    allocation = make_allocation(cast, don, quantity=40)
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.assessor)
    base = live_server.url

    executor = _signed_in(browser, base, "executor")
    executor.goto(f"{base}/field/deliveries/")
    _shot(executor, "01-executor-deliveries")
    executor.click(f"a[href='/field/deliveries/{delivery.pk}/']")
    executor.click("form[action$='/dispatch/'] button")
    executor.click("form[action$='/deliver/'] button")
    _shot(executor, "02-delivered")
    executor.fill("#bast-address", "Balai warga RW 001, Gambir")
    executor.fill(f"#line-{delivery.lines.get().pk}", "38")  # two short
    executor.click("form[action$='/handover/'] [type=submit]")
    executor.wait_for_load_state()
    handover = Handover.objects.get(delivery=delivery)
    assert executor.url.endswith(f"/field/handovers/{handover.pk}/")
    executor.click("form[action$='/confirm/'] button")
    _shot(executor, "03-giver-confirmed")

    for username, step in (("ketua_rw", "04-receiver"), ("kelurahan", "05-witness")):
        party = _signed_in(browser, base, username)
        party.goto(f"{base}/field/handovers/{handover.pk}/")
        party.click("form[action$='/confirm/'] button")
        party.wait_for_load_state()
        _shot(party, f"{step}-confirmed")

    handover.refresh_from_db()
    assert handover.state == Handover.State.SIGNED
    executor.reload()
    # The link as the executor's browser follows it (same session); headless Chromium
    # would open its PDF viewer rather than hand the file over.
    link = executor.get_attribute(f"a[href='/field/handovers/{handover.pk}/pdf/']",
                                  "href")
    response = executor.context.request.get(f"{base}{link}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF")

    url = _qr_text_of_pdf(pdf)
    # The page's address, with the signed statement in the fragment (issue 17).
    assert url.startswith(f"{base}/verify/{handover.code}/#p=")
    citizen = browser.new_context(viewport=PHONE).new_page()
    citizen.goto(url)
    _shot(citizen, "06-public-verification")
    text = citizen.inner_text("main")
    assert handover.number in text
    assert handover.fingerprint in text
    assert re.search(r"\b38\b", text)
    assert "Paket sembako" in text
