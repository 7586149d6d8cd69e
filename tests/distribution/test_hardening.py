"""Issue 14, findings 2, 7, 11 and 12 for deliveries and handover reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ksbb.accounts.models import Role
from ksbb.accounts.services import membership_grant
from ksbb.areas.models import Area
from ksbb.core.domain import Refusal
from ksbb.distribution.services import (
    NotAllowed,
    delivery_schedule,
    handover_create,
    handover_paper_accept,
    handover_paper_upload,
    handover_photo_add,
)
from tests.conftest import SETUP, VILLAGE_A
from tests.distribution.conftest import make_allocation
from tests.uploads import pdf, png, png_claiming

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def _paper(handover, by, data: bytes | None = None, name: str = "scan.pdf"):  # type: ignore[no-untyped-def]
    return handover_paper_upload(handover=handover,
                                 upload=SimpleUploadedFile(name, data or pdf()),
                                 receiver_name="Ketua RW Palsu", witness_name="Saksi Palsu",
                                 by=by)


def test_one_person_cannot_upload_and_accept_a_paper_bast(cast, draft):
    """Finding 2: an executor who is also the village's kelurahan officer uploaded a paper
    BAST and accepted it: signed, and /verify/ said valid."""
    membership_grant(user=cast.executor, role=Role.KELURAHAN_OFFICER,
                     organization=cast.government,
                     villages=[Area.objects.get(code=VILLAGE_A)], by=SETUP)
    executor = type(cast.executor).objects.get(pk=cast.executor.pk)  # fresh scope
    h = _paper(draft, executor)
    with pytest.raises(NotAllowed, match="someone other than the executor"):
        handover_paper_accept(handover=h, by=executor)
    # A colleague at the same executor is not another party either.
    colleague = type(cast.executor).objects.create(username="colleague")
    membership_grant(user=colleague, role=Role.EXECUTOR_STAFF, organization=cast.executor_org,
                     by=SETUP)
    membership_grant(user=colleague, role=Role.KELURAHAN_OFFICER,
                     organization=cast.government,
                     villages=[Area.objects.get(code=VILLAGE_A)], by=SETUP)
    with pytest.raises(NotAllowed):
        handover_paper_accept(handover=h, by=colleague)
    h.refresh_from_db()
    assert not h.is_signed
    assert handover_paper_accept(handover=h, by=cast.kelurahan).is_signed


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\n%%EOF",  # the 30 bytes of the finding
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    b"%PDF-" + b"\0" * 200 + b"%%EOF",
])
def test_a_paper_scan_must_be_a_real_pdf(cast, draft, data):
    with pytest.raises(Refusal) as refused:
        _paper(draft, cast.executor, data)
    assert "paper" in refused.value.message_dict
    draft.refresh_from_db()
    assert not draft.paper_scan


def test_a_paper_scan_has_at_most_twenty_pages(cast, draft):
    with pytest.raises(Refusal, match="more than 20 pages"):
        _paper(draft, cast.executor, pdf(pages=21))
    assert _paper(draft, cast.executor, pdf(pages=2)).paper_scan


def test_the_acceptor_reads_the_scan_first_on_the_page_and_in_the_api(cast, draft,
                                                                    client_for):
    h = _paper(draft, cast.executor)
    page = client_for(cast.kelurahan).get(f"/field/handovers/{h.pk}/").content.decode()
    assert f"/field/handovers/{h.pk}/paper/file/" in page
    scan = client_for(cast.kelurahan).get(f"/field/handovers/{h.pk}/paper/file/")
    assert scan.status_code == 200 and scan["Content-Type"] == "application/pdf"
    assert b"".join(scan.streaming_content).startswith(b"%PDF-")
    assert "no-store" in scan["Cache-Control"]
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast.kelurahan)
    body = api.get(f"/api/v1/handovers/{h.pk}/").json()
    assert body["paper_scan_url"] == f"/api/v1/handovers/{h.pk}/paper_scan/"
    assert api.get(body["paper_scan_url"]).status_code == 200
    # Nobody outside the handover sees it.
    assert client_for(cast.outsider).get(
        f"/field/handovers/{h.pk}/paper/file/").status_code in (403, 404)
    api.force_authenticate(cast.outsider)
    assert api.get(f"/api/v1/handovers/{h.pk}/paper_scan/").status_code == 404


def test_handover_photos_are_viewable_by_those_allowed(cast, draft, client_for):
    """Finding 12: handover photos could not be viewed in the app by anyone."""
    photo = handover_photo_add(handover=draft, upload=SimpleUploadedFile("a.png", png()),
                               by=cast.executor)
    url = f"/field/handovers/{draft.pk}/photos/{photo.pk}/"
    assert url in client_for(cast.ketua_rw).get(f"/field/handovers/{draft.pk}/").content.decode()
    for who in (cast.ketua_rw, cast.kelurahan, cast.executor, cast.assessor):
        response = client_for(who).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client_for(cast.outsider).get(url).status_code in (403, 404)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast.ketua_rw)
    (photo_url,) = api.get(f"/api/v1/handovers/{draft.pk}/").json()["photo_urls"]
    assert api.get(photo_url).status_code == 200


def test_one_pixel_cap_for_every_image_before_decoding(cast, draft):
    """Finding 7: a 12,000 x 12,000 PNG photo was decoded (6 s, +800 MB)."""
    bomb = png_claiming(12_000, 12_000)
    assert len(bomb) < 1000
    with pytest.raises(Refusal, match="million pixels"):
        handover_photo_add(handover=draft, upload=SimpleUploadedFile("a.png", bomb),
                           by=cast.executor)
    with pytest.raises(Refusal, match="million pixels"):
        _paper(draft, cast.executor, bomb, name="scan.png")


def test_a_bast_is_dated_within_its_deliverys_window(cast, delivered):
    """Finding 11: a BAST dated 1999-01-01 for a delivery of today was numbered
    BAST/PANGAN/1999/01/0001."""
    line = delivered.lines.get()
    with pytest.raises(Refusal) as refused:
        handover_create(delivery=delivered, date=dt.date(1999, 1, 1),
                        lines={line.pk: line.quantity}, address="Balai", by=cast.executor)
    assert "date" in refused.value.message_dict
    with pytest.raises(Refusal):
        handover_create(delivery=delivered, date=timezone.localdate() + dt.timedelta(days=1),
                        lines={line.pk: line.quantity}, address="Balai", by=cast.executor)
    ok = handover_create(delivery=delivered, date=timezone.localdate(),
                         lines={line.pk: line.quantity}, address="Balai", by=cast.executor)
    assert ok.number.startswith(f"BAST/PANGAN/{timezone.localdate():%Y/%m}/")


def test_scheduling_refusals_do_not_reveal_another_aggregators_allocations(cast, dist):
    """Finding 12: the refusal said whether another aggregator's allocation exists, is
    approved or is on a delivery."""
    from ksbb.allocation.models import Allocation

    mine = make_allocation(cast, dist.don)  # the cast's aggregator's, not the outsider's
    missing = Allocation.objects.order_by("-pk").first().pk + 1000

    def refusal(allocation_id: int) -> str:
        with pytest.raises(Refusal) as refused:
            delivery_schedule(allocations=[Allocation(pk=allocation_id)],
                              executor=cast.executor_org, scheduled_for=timezone.localdate(),
                              by=cast.outsider)
        return " ".join(refused.value.messages).replace(str(allocation_id), "N")

    on_delivery = dist.allocation.pk  # already on the fixture's delivery
    assert refusal(mine.pk) == refusal(missing) == refusal(on_delivery)
