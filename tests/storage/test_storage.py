"""Private files on either storage: stored through the domain services, streamed only
through the permission-checked views, never reachable from the bucket directly."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from ksbb.areas.models import Area
from ksbb.core.env import EnvError, env_storage
from ksbb.core.storage import all_files, is_object_storage
from ksbb.reports.services import report_submit
from tests.reports.conftest import png


def test_a_report_photo_is_served_to_its_officer_only(cast, client_for, storage):  # type: ignore[no-untyped-def]
    report = report_submit(category="spoiled_goods",
                           area=Area.objects.get(code="31.71.01.1001"), description="x",
                           photos=[png()])
    photo = report.photos.get()
    assert is_object_storage() == (storage == "s3")
    assert default_storage.exists(photo.file.name)
    url = f"/backoffice/reports/photos/{photo.pk}/"

    response = client_for(cast.kelurahan).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["Cache-Control"] == "private, no-store"
    # An unrelated user and an anonymous visitor get nothing, whichever storage holds it.
    assert client_for(cast.collaborator).get(url).status_code == 403
    assert client_for(cast.outsider).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_the_bucket_answers_no_one_without_keys(cast, s3_storage):  # type: ignore[no-untyped-def]
    name = default_storage.save("reports/secret.txt", ContentFile(b"NIK 3171"))
    endpoint = default_storage.endpoint_url  # type: ignore[attr-defined]
    bucket = default_storage.bucket_name  # type: ignore[attr-defined]
    for url in (f"{endpoint}/{bucket}/{name}", f"{endpoint}/{bucket}/"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)  # noqa: S310 (our own loopback gateway)
        assert refused.value.code == 403


def test_names_are_never_overwritten_and_listing_finds_all(storage):  # type: ignore[no-untyped-def]
    first = default_storage.save("handovers/photos/a.jpg", ContentFile(b"one"))
    second = default_storage.save("handovers/photos/a.jpg", ContentFile(b"two"))
    third = default_storage.save("purchases/2026/12/r.pdf", ContentFile(b"%PDF"))
    assert first != second
    with default_storage.open(first, "rb") as fh:
        assert fh.read() == b"one"
    assert sorted(all_files()) == sorted([first, second, third])


@pytest.mark.parametrize("url,problem", [
    ("s3://bucket-only", "object storage URL"),
    ("s3://key:secret@host:9000/", "object storage URL"),
    ("s3://key:secret@host:9000/a/b", "object storage URL"),
    ("http://key:secret@host/bucket", "object storage URL"),
    ("s3://key:secret@host:port/bucket", "port"),
    ("s3://key:secret@host/bucket?secure=maybe", "secure"),
])
def test_a_bad_storage_url_names_the_variable(monkeypatch, url, problem):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KSBB_STORAGE_URL", url)
    with pytest.raises(EnvError, match="KSBB_STORAGE_URL") as error:
        env_storage("KSBB_STORAGE_URL")
    assert problem in str(error.value)


def test_a_storage_url_becomes_private_s3_settings(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KSBB_STORAGE_URL",
                       "s3://AK:s%2Fcret@objects.example.go.id:8443/ksbb?region=id-jkt")
    options = env_storage("KSBB_STORAGE_URL")["OPTIONS"]
    assert options == {**options, "access_key": "AK", "secret_key": "s/cret",
                       "bucket_name": "ksbb", "region_name": "id-jkt",
                       "endpoint_url": "https://objects.example.go.id:8443",
                       "default_acl": None, "file_overwrite": False}
    monkeypatch.delenv("KSBB_STORAGE_URL")
    assert env_storage("KSBB_STORAGE_URL") == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"}
