"""Uploaded files on both storages: the data folder, and a real S3 gateway (the one-node
Ceph cluster of scripts/s3/ceph-up.sh, which .ci/run starts and names in KSBB_TEST_S3_URL).

Without KSBB_TEST_S3_URL the S3 cases are skipped on a developer's machine; in CI (CI=true)
a missing or unreachable gateway fails them instead, so CI never passes by skipping."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.files.storage import default_storage

from ksbb.core.env import env_storage
from ksbb.core.storage import ensure_bucket


def s3_url(bucket: str) -> str:
    raw = os.environ.get("KSBB_TEST_S3_URL", "")
    if not raw:
        if os.environ.get("CI"):
            pytest.fail("KSBB_TEST_S3_URL is not set: .ci/run starts the S3 gateway")
        pytest.skip("no S3 gateway: run scripts/s3/ceph-up.sh and set KSBB_TEST_S3_URL")
    parts = urlsplit(raw)
    return urlunsplit(parts._replace(path=f"/{bucket}"))


def storage_settings(bucket: str) -> dict[str, object]:
    os.environ["KSBB_TEST_STORAGE_URL_TMP"] = s3_url(bucket)
    try:
        return env_storage("KSBB_TEST_STORAGE_URL_TMP")
    finally:
        del os.environ["KSBB_TEST_STORAGE_URL_TMP"]


def _use_new_bucket(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    bucket = f"ksbb-t-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(bucket)}
    ensure_bucket()
    yield
    b = default_storage.bucket  # type: ignore[attr-defined]
    b.objects.all().delete()
    b.delete()


@pytest.fixture(params=["local", "s3"])
def storage(request, settings, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Each test runs once per storage; yields its kind. The S3 case gets a bucket of its
    own, emptied and removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "local":
        yield "local"
        return
    yield from (("s3" if step is None else step) for step in _use_new_bucket(settings))


@pytest.fixture
def s3_storage(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A bucket of its own on the S3 gateway, for what only object storage has."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield from _use_new_bucket(settings)
