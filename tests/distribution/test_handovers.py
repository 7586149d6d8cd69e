from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ksbb.core.domain import NotAllowed, Refusal
from ksbb.core.models import AuditEntry
from ksbb.distribution.models import (
    Delivery,
    Handover,
    HandoverLine,
    HandoverPhoto,
    SignedHandoverError,
)
from ksbb.distribution.selectors import fingerprint_of, handover_content, handovers_for_pledge
from ksbb.distribution.services import (
    bast_number_next,
    delivery_fail,
    handover_confirm,
    handover_create,
    handover_paper_accept,
    handover_paper_upload,
    handover_photo_add,
    handover_update,
)
from tests.conftest import SETUP
from tests.distribution.conftest import draft_for, sign_all

pytestmark = pytest.mark.django_db


def _image(fmt: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, format=fmt)
    return buf.getvalue()


def test_create_requires_delivered(cast, dist):
    with pytest.raises(Refusal, match="delivered"):
        draft_for(dist.delivery, cast.executor)


@pytest.mark.parametrize("who", ["aggregator", "assessor", "kelurahan", "ketua_rw", "admin"])
def test_create_only_by_executor_staff(cast, delivered, who):
    with pytest.raises(NotAllowed):
        draft_for(delivered, getattr(cast, who))


def test_number_format_and_code(cast, draft):
    today = timezone.localdate()
    assert re.fullmatch(rf"BAST/PANGAN/{today.year}/{today.month:02d}/\d{{4}}", draft.number)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{12}", draft.code)
    assert draft.state == Handover.State.DRAFT
    assert AuditEntry.objects.filter(action="handover.created", actor=cast.executor).exists()


def test_monthly_sequence_resets(cast, dist):
    p = dist.don.pangan
    assert bast_number_next(program=p, on=dt.date(2020, 5, 3)) == "BAST/PANGAN/2020/05/0001"
    assert bast_number_next(program=p, on=dt.date(2020, 5, 30)) == "BAST/PANGAN/2020/05/0002"
    assert bast_number_next(program=p, on=dt.date(2020, 6, 1)) == "BAST/PANGAN/2020/06/0001"
    assert bast_number_next(program=p, on=dt.date(2021, 5, 1)) == "BAST/PANGAN/2021/05/0001"


def test_quantity_above_delivered_refused(cast, delivered):
    with pytest.raises(Refusal, match="more than was delivered"):
        draft_for(delivered, cast.executor, quantity=41)
    with pytest.raises(Refusal, match="nothing was handed over"):
        draft_for(delivered, cast.executor, quantity=0)
    with pytest.raises(Refusal, match="future"):
        handover_create(delivery=delivered, date=timezone.localdate() + dt.timedelta(days=1),
                        lines={}, address="x", by=cast.executor)


def test_second_draft_refused(cast, draft):
    with pytest.raises(Refusal, match="already"):
        draft_for(draft.delivery, cast.executor)


def test_place_checks(cast, delivered):
    from ksbb.areas.models import Area

    line = delivered.lines.get()
    with pytest.raises(Refusal, match="village"):
        handover_create(delivery=delivered, date=timezone.localdate(), lines={line.pk: 1},
                        address="x", area=Area.objects.get(code="31.75.01.1001"),
                        by=cast.executor)
    with pytest.raises(Refusal, match="both"):
        handover_create(delivery=delivered, date=timezone.localdate(), lines={line.pk: 1},
                        address="x", latitude="-6.17", by=cast.executor)
    h = handover_create(delivery=delivered, date=timezone.localdate(), lines={line.pk: 1},
                        address="x", latitude="-6.175392", longitude="106.827153",
                        by=cast.executor)
    assert str(h.latitude) == "-6.175392"


def test_confirmations_sign_and_hand_over(cast, draft):
    handover_confirm(handover=draft, role="giver", by=cast.executor)
    with pytest.raises(Refusal, match="confirmed already"):
        handover_confirm(handover=draft, role="giver", by=cast.executor)
    handover_confirm(handover=draft, role="receiver", by=cast.ketua_rw)
    draft.refresh_from_db()
    assert draft.state == Handover.State.DRAFT
    h = handover_confirm(handover=draft, role="witness", by=cast.kelurahan)
    assert h.state == Handover.State.SIGNED and h.signed_at
    assert h.fingerprint == fingerprint_of(h.content)
    assert h.content["parties"] == [
        {"role": "giver", "name": "Executor"}, {"role": "receiver", "name": "Ketua_Rw"},
        {"role": "witness", "name": "Kelurahan"}]
    assert h.content["collaborators"] == ["PT Sembako"]
    assert h.content["aggregators"] == ["BAZNAS DKI"]
    delivery = Delivery.objects.get(pk=h.delivery_id)
    assert delivery.state == Delivery.State.HANDED_OVER
    signed = AuditEntry.objects.get(action="handover.signed")
    assert signed.actor == cast.kelurahan


@pytest.mark.parametrize(("role", "who"), [
    ("giver", "aggregator"), ("giver", "ketua_rw"), ("giver", "admin"),
    ("receiver", "executor"), ("receiver", "kelurahan"), ("receiver", "admin"),
    ("witness", "ketua_rw"), ("witness", "assessor"), ("witness", "admin"),
])
def test_confirm_wrong_role_refused(cast, draft, role, who):
    with pytest.raises(NotAllowed):
        handover_confirm(handover=draft, role=role, by=getattr(cast, who))


def test_witness_outside_village_refused(cast, dist):
    from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
    from tests.distribution.conftest import make_allocation

    a = make_allocation(cast, dist.don, recipient=cast.other_recipient, quantity=5)
    d = delivery_schedule(allocations=[a], executor=cast.executor_org,
                          scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=d, by=cast.executor)
    delivery_deliver(delivery=d, by=cast.executor)
    h = draft_for(d, cast.executor)
    with pytest.raises(NotAllowed):
        handover_confirm(handover=h, role="witness", by=cast.kelurahan)


def test_shortfall_returns_quantity(cast, delivered, dist):
    h = draft_for(delivered, cast.executor, quantity=35)
    sign_all(cast, h)
    dist.allocation.refresh_from_db()
    assert dist.allocation.returned_quantity == 5
    line = delivered.lines.get()
    assert line.returned_quantity == 5
    entry = AuditEntry.objects.filter(action="allocation.returned").latest("seq")
    assert entry.after["why"] == "handover.shortfall"


def test_signed_bast_edit_refused(cast, signed):
    with pytest.raises(Refusal, match="signed"):
        handover_update(handover=signed, address="elsewhere", by=cast.executor)
    with pytest.raises(Refusal, match="signed"):
        handover_photo_add(handover=signed, upload=SimpleUploadedFile("a.png", _image()),
                           by=cast.executor)
    with pytest.raises(Refusal, match="signed"):
        handover_confirm(handover=signed, role="giver", by=cast.executor)
    signed.address = "tampered"
    with pytest.raises(SignedHandoverError):
        signed.save()
    with pytest.raises(SignedHandoverError):
        signed.delete()
    line = HandoverLine.objects.filter(handover=signed).first()
    line.quantity = 1
    with pytest.raises(SignedHandoverError):
        line.save()
    with pytest.raises(Refusal):
        delivery_fail(delivery=signed.delivery, reason="x", by=cast.executor)


def test_draft_edit_before_confirmation(cast, draft):
    line = draft.delivery.lines.get()
    h = handover_update(handover=draft, address="Masjid RW 01", lines={line.pk: 30},
                        by=cast.executor)
    assert h.address == "Masjid RW 01" and h.lines.get().quantity == 30
    with pytest.raises(NotAllowed):
        handover_update(handover=draft, address="x", by=cast.ketua_rw)
    handover_confirm(handover=draft, role="receiver", by=cast.ketua_rw)
    with pytest.raises(Refusal, match="confirmed"):
        handover_update(handover=draft, address="x", by=cast.executor)


def test_supersede(cast, signed, dist):
    line = signed.delivery.lines.get()
    with pytest.raises(Refusal, match="reason"):
        handover_create(delivery=signed.delivery, date=timezone.localdate(),
                        lines={line.pk: 38}, address="x", supersedes=signed, by=cast.executor)
    with pytest.raises(Refusal, match="more than the report"):
        handover_create(delivery=signed.delivery, date=timezone.localdate(),
                        lines={line.pk: 41}, address="x", supersedes=signed,
                        correction_reason="count", by=cast.executor)
    new = handover_create(delivery=signed.delivery, date=timezone.localdate(),
                          lines={line.pk: 38}, address="Balai warga RW 01",
                          supersedes=signed, correction_reason="two were damaged",
                          by=cast.executor)
    assert new.number != signed.number
    with pytest.raises(Refusal, match="corrected already"):
        handover_create(delivery=signed.delivery, date=timezone.localdate(),
                        lines={line.pk: 30}, address="x", supersedes=signed,
                        correction_reason="again", by=cast.executor)
    assert not signed.is_superseded
    sign_all(cast, new)
    new.refresh_from_db()
    signed.refresh_from_db()
    assert signed.is_superseded and signed.state == Handover.State.SIGNED
    assert new.content["supersedes"] == signed.number
    dist.allocation.refresh_from_db()
    assert dist.allocation.returned_quantity == 2
    # Both stay visible to the collaborator's trail.
    rows = handovers_for_pledge(dist.allocation.pledge)
    assert [(x["handover"].number, x["superseded"]) for x in rows[0]["handovers"]] == [
        (signed.number, True), (new.number, False)]


def test_photos(cast, draft, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for fmt in ("PNG", "JPEG", "WEBP"):
        photo = handover_photo_add(handover=draft, upload=SimpleUploadedFile(
            "../../evil name.php", _image(fmt)), by=cast.executor)
        assert re.fullmatch(r"handovers/photos/\d{4}/\d{2}/[0-9a-f]{32}\.(png|jpg|webp)",
                            photo.file.name)
    assert HandoverPhoto.objects.count() == 3
    with pytest.raises(Refusal, match="JPEG"):
        handover_photo_add(handover=draft, upload=SimpleUploadedFile(
            "photo.jpg", b"<?php echo 1; ?>"), by=cast.executor)
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(Refusal, match="JPEG"):
        handover_photo_add(handover=draft, upload=SimpleUploadedFile("a.gif", gif.getvalue()),
                           by=cast.executor)
    big = SimpleUploadedFile("big.png", _image() + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(Refusal, match="5 MB"):
        handover_photo_add(handover=draft, upload=big, by=cast.executor)
    with pytest.raises(NotAllowed):
        handover_photo_add(handover=draft, upload=SimpleUploadedFile("a.png", _image()),
                           by=cast.ketua_rw)


def test_paper_bast(cast, draft, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(Refusal, match="PDF"):
        handover_paper_upload(handover=draft, upload=SimpleUploadedFile("x.pdf", b"hello"),
                              receiver_name="Pak RW", witness_name="Bu Lurah",
                              by=cast.executor)
    with pytest.raises(NotAllowed):
        handover_paper_upload(handover=draft, upload=SimpleUploadedFile("x.png", _image()),
                              receiver_name="Pak RW", witness_name="Bu Lurah",
                              by=cast.ketua_rw)
    with pytest.raises(Refusal, match="no paper"):
        handover_paper_accept(handover=draft, by=cast.assessor)
    from tests.uploads import pdf as real_pdf

    pdf = real_pdf()
    h = handover_paper_upload(handover=draft, upload=SimpleUploadedFile("scan.pdf", pdf),
                              receiver_name="Pak RW", witness_name="Bu Lurah",
                              by=cast.executor)
    assert h.paper_scan.name.endswith(".pdf") and "scan" not in h.paper_scan.name
    with pytest.raises(Refusal, match="paper"):
        handover_confirm(handover=h, role="receiver", by=cast.ketua_rw)
    with pytest.raises(NotAllowed):
        handover_paper_accept(handover=h, by=cast.executor)
    h = handover_paper_accept(handover=h, by=cast.kelurahan)
    assert h.state == Handover.State.SIGNED
    assert h.content["parties"][1] == {"role": "receiver", "name": "Pak RW"}


def test_content_names_individuals_generically(cast, dist):
    from ksbb.accounts.models import Organization
    from ksbb.accounts.services import membership_grant, organization_create
    from ksbb.distribution.selectors import INDIVIDUAL_DONOR_LABEL
    from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
    from ksbb.donations.services import collaborator_profile_create, pledge_receive, pledge_submit
    from tests.distribution.conftest import make_allocation

    person = organization_create(kind=Organization.Kind.COLLABORATOR, name="Budi Santoso",
                                 by=SETUP)
    collaborator_profile_create(organization=person, kind="individual",
                                email="budi@example.com", by=SETUP)
    membership_grant(user=cast.collaborator, role="collaborator", organization=person,
                     by=SETUP)
    donor = type(cast.collaborator).objects.get(pk=cast.collaborator.pk)  # fresh scope
    p = pledge_submit(collaborator=person, aggregator=cast.aggregator_org,
                      item=dist.don.sembako, quantity=10, by=donor)
    p = pledge_receive(pledge=p, received_quantity=10, by=cast.aggregator)
    a = make_allocation(cast, dist.don, pledge=p, quantity=10)
    d = delivery_schedule(allocations=[a], executor=cast.executor_org,
                          scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=d, by=cast.executor)
    delivery_deliver(delivery=d, by=cast.executor)
    content = handover_content(draft_for(d, cast.executor))
    assert content["collaborators"] == [INDIVIDUAL_DONOR_LABEL]
    assert "Budi" not in str(content)
