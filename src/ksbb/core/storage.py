"""The uploaded-files store, whichever it is (the data folder or an S3 bucket): listing
every file for backups, and making sure the bucket exists before the first upload."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.files.storage import Storage, default_storage


def is_object_storage(storage: Storage | None = None) -> bool:
    return hasattr(storage or default_storage, "bucket_name")


def all_files(storage: Storage | None = None, prefix: str = "") -> Iterator[str]:
    """Every stored file's name, depth first, in a stable order."""
    storage = storage or default_storage
    if is_object_storage(storage):
        # One paginated listing instead of a request per "folder".
        bucket = storage.bucket  # type: ignore[attr-defined]
        names = sorted(obj.key for obj in bucket.objects.filter(Prefix=prefix))
        yield from names
        return
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}/{name}" if prefix else name
    for folder in sorted(folders):
        yield from all_files(storage, f"{prefix}/{folder}" if prefix else folder)


def ensure_bucket(storage: Storage | None = None) -> bool:
    """Create the bucket when it is missing; True if it was created. A no-op on the data
    folder, which Django creates on the first save."""
    storage = storage or default_storage
    if not is_object_storage(storage):
        return False
    from botocore.exceptions import ClientError

    bucket = storage.bucket  # type: ignore[attr-defined]
    try:
        bucket.meta.client.head_bucket(Bucket=bucket.name)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"}:
            raise
    bucket.create()
    bucket.wait_until_exists()
    return True
