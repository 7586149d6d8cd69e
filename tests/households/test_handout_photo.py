"""The ketua RW adds a photo of the receipt or of the household's signature to a recorded
handout: checked by content, stripped of EXIF, served only to those who may see the
household, replaced by a later one, gone with an undo."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ksbb.core.models import AuditEntry
from ksbb.households.models import Handout, Household
from ksbb.households.services import handout_photo_set, handout_record, handout_undo
from tests.households.conftest import RW_A


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "white")
    exif = Image.Exif()
    exif[0x8825] = {2: (6, 10, 0)}  # GPSInfo: a latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def handout(cast, lists, bast):  # type: ignore[no-untyped-def]
    return handout_record(handover=bast, household=Household.objects.filter(
        rw_id=RW_A).first(), by=cast.ketua_rw)


def test_the_ketua_rw_uploads_a_photo_from_the_phone_page(  # type: ignore[no-untyped-def]
        cast, handout, client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(cast.ketua_rw)
    page = client.get(f"/field/handouts/{handout.pk}/photo/")
    assert page.status_code == 200 and b'capture="environment"' in page.content
    response = client.post(f"/field/handouts/{handout.pk}/photo/", {
        "kind": "signature", "photo": SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(),
                                                         "image/jpeg")})
    assert response.status_code == 302
    handout.refresh_from_db()
    assert handout.photo_kind == "signature" and "IMG_0001" not in handout.photo.name
    with handout.photo.open("rb") as fh, Image.open(fh) as stored:
        assert 0x8825 not in stored.getexif()  # no GPS reaches the disk
    entry = AuditEntry.objects.filter(action="handout.photo_added").get()
    assert set(entry.after) == {"kind", "sha256", "content_type", "replaced"}
    served = client.get(f"/field/handouts/{handout.pk}/photo/file/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, no-store"


def test_a_file_that_is_no_image_is_refused_with_the_field(cast, handout, client):  # type: ignore[no-untyped-def]
    client.force_login(cast.ketua_rw)
    response = client.post(f"/field/handouts/{handout.pk}/photo/", {
        "kind": "receipt", "photo": SimpleUploadedFile("x.jpg", b"%PDF-1.4 nope", "image/jpeg")})
    assert response.status_code == 400
    assert "JPEG, PNG" in response.content.decode()
    assert not Handout.objects.get(pk=handout.pk).photo


def test_who_may_upload_and_who_may_see(cast, handout, client_for, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    for user in (cast.assessor, cast.kelurahan, cast.admin, cast.executor):
        with pytest.raises(Exception, match="not allowed"):
            handout_photo_set(handout=handout, upload=io.BytesIO(jpeg_with_gps()),
                              kind="receipt", by=user)
    handout_photo_set(handout=handout, upload=io.BytesIO(jpeg_with_gps()), kind="receipt",
                      by=cast.ketua_rw)
    url = f"/field/handouts/{handout.pk}/photo/file/"
    for user, status in ((cast.assessor, 200), (cast.kelurahan, 200), (cast.ketua_rw, 200),
                         (cast.admin, 403), (cast.executor, 403), (cast.aggregator, 403)):
        assert client_for(user).get(url).status_code == status, user
    assert client_for(None).get(url).status_code == 302


def test_a_new_photo_replaces_the_old_and_an_undo_removes_it(  # type: ignore[no-untyped-def]
        cast, handout, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        first = handout_photo_set(handout=handout, upload=io.BytesIO(jpeg_with_gps()),
                                  kind="receipt", by=cast.ketua_rw)
    first_name = first.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        second = handout_photo_set(handout=handout, upload=io.BytesIO(jpeg_with_gps()),
                                   kind="signature", by=cast.ketua_rw)
    storage = second.photo.storage
    assert not storage.exists(first_name) and storage.exists(second.photo.name)
    with django_capture_on_commit_callbacks(execute=True):
        handout_undo(handout=second, by=cast.ketua_rw)
    assert not storage.exists(second.photo.name)
