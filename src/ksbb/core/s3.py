"""Uploaded files on S3-compatible object storage (django-storages over boto3), selected by
``KSBB_STORAGE_URL``. Kept apart from ``core.storage`` so that boto3 is imported only by
installations that use it."""

from __future__ import annotations

from typing import Any

from botocore.config import Config
from storages.backends.s3 import S3Storage


def client_config() -> Config:
    return Config(
        # Path-style addressing works with any gateway (Ceph, MinIO, Swift's s3api) and with
        # an IP address as the host, where virtual-hosted buckets cannot resolve.
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        # Current botocore sends chunked uploads with trailing checksums by default, which
        # several S3 servers refuse; ask for checksums only where the API requires them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
    )


class PrivateS3Storage(S3Storage):
    """A private bucket: objects without a public ACL, never overwritten; the application
    streams them through permission-checked views."""

    def __init__(self, **settings: Any) -> None:
        settings.setdefault("client_config", client_config())
        super().__init__(**settings)
