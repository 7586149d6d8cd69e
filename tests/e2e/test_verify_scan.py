"""The offline verifier in a real browser (issue 17, "Done when"): /verify/scan/ is opened
once, the network is switched off (Playwright's offline mode), the page is reloaded from
the service worker, and the QR code of a generated BAST PDF, rendered to an image and
given as a photo, verifies; a QR code whose statement was changed is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import segno
from django.utils import timezone

from ksbb.distribution.pdf import BastPdfRenderer
from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
from ksbb.verify.statements import b64url, parse_qr
from tests.distribution.conftest import draft_for, make_allocation, sign_all
from tests.donations.conftest import setup_donations
from tests.e2e.browser import artifacts

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]



def _signed_bast(cast: Any) -> Any:
    don = setup_donations(cast)
    allocation = make_allocation(cast, don, quantity=40)
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    handover = sign_all(cast, draft_for(delivery, cast.executor))
    handover.refresh_from_db()
    return handover


def _page_image(pdf: bytes, path: Path) -> str:
    """The BAST's first page as a photo would show it (rendered at about 216 dpi)."""
    import pypdfium2
    import zxingcpp

    image = pypdfium2.PdfDocument(pdf)[0].render(scale=3).to_pil()
    image.save(path)
    return str(zxingcpp.read_barcodes(image)[0].text)


def test_offline_verifier_checks_a_bast_qr_code(  # type: ignore[no-untyped-def]
        live_server, cast, settings, tmp_path, browser):
    settings.KSBB_PUBLIC_URL = live_server.url
    handover = _signed_bast(cast)
    genuine = tmp_path / "bast.png"
    text = _page_image(BastPdfRenderer(handover).render(), genuine)
    # The same code with 40 packages turned into 400, the signature kept.
    statement, signature = parse_qr(text)
    forged = json.loads(statement)
    forged["i"][0][1] = 400
    forged_bytes = json.dumps(forged, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False).encode()
    tampered = tmp_path / "tampered.png"
    segno.make(f"{text.split('#')[0]}#p={b64url(forged_bytes)}.{b64url(signature)}",
               error="m").save(str(tampered), scale=6)
    # A statement signed by some other key, unknown to the site.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged["k"] = "0123456789abcdef"
    other = json.dumps(forged, sort_keys=True, separators=(",", ":"),
                       ensure_ascii=False).encode()
    unknown = tmp_path / "unknown.png"
    segno.make(f"{text.split('#')[0]}#p={b64url(other)}."
               f"{b64url(Ed25519PrivateKey.generate().sign(other))}",
               error="m").save(str(unknown), scale=6)

    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/verify/scan/")
    page.wait_for_selector("#scan[data-ready='1']", timeout=20000)

    context.set_offline(True)
    page.reload()  # served by the service worker now
    page.wait_for_selector("#scan-file", state="attached")
    page.set_input_files("#scan-file", str(genuine))
    page.wait_for_selector("#scan-verdict[data-verdict]", timeout=30000)
    assert page.get_attribute("#scan-verdict", "data-verdict") == "valid"
    shown = page.inner_text("#scan-result")
    assert handover.number in shown and "400" not in shown
    assert "Paket sembako: 40 paket" in shown
    assert handover.fingerprint in shown
    out = artifacts("verify-scan")
    shutil.copy(genuine, out / "bast-page.png")
    page.screenshot(path=str(out / "offline-valid.png"), full_page=True)

    page.set_input_files("#scan-file", str(tampered))
    page.wait_for_selector("#scan-verdict[data-verdict='invalid']", timeout=30000)
    assert handover.number not in page.inner_text("#scan-result")
    page.screenshot(path=str(out / "offline-tampered.png"), full_page=True)
    page.set_input_files("#scan-file", str(unknown))
    page.wait_for_selector("#scan-verdict[data-verdict='unknown']", timeout=30000)

    # Back online: the genuine one again, now also checked against the site.
    context.set_offline(False)
    page.set_input_files("#scan-file", str(genuine))
    current = page.get_attribute("#scan", "data-msg-current")
    page.wait_for_function(
        "t => document.getElementById('scan-online').textContent === t", arg=current,
        timeout=30000)
    assert page.get_attribute("#scan-verdict", "data-verdict") == "valid"
    assert not violations, violations
