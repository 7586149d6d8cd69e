"""``ksbb backup`` and ``ksbb restore``, run as an operator would, on a copy of the demo
database (SQLite, or PostgreSQL when the suite runs there; see tests/ops/conftest.py):
back up, change and delete data and uploaded files, restore, and everything is back."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

from ksbb.core.s3 import PrivateS3Storage
from tests.ops.conftest import ROOT, ksbb, worker
from tests.storage.conftest import s3_url, storage_settings


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ksbb.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_backup_then_restore_brings_everything_back(fresh, tmp_path):  # type: ignore[no-untyped-def]
    media = Path(fresh["KSBB_DATA_DIR"]) / "media"
    (media / "receipts").mkdir(parents=True, exist_ok=True)
    (media / "photos").mkdir(parents=True, exist_ok=True)
    (media / "receipts" / "kwitansi-1.pdf").write_bytes(b"%PDF-1.4 receipt")
    (media / "photos" / "serah-terima.jpg").write_bytes(b"\xff\xd8\xff photo")
    before = worker(fresh, "counts")
    files_before = _files(media)
    assert before["audit_ok"] and before["counts"]["core_auditentry"] > 0

    archive = tmp_path / "backups" / "ksbb.tar.gz"
    out = ksbb(fresh, "backup", "--output", str(archive))
    assert "Backup written to" in out and f"audit head #{before['audit_seq']}" in out
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "media/receipts/kwitansi-1.pdf" in names
    assert any(n.startswith("database.") for n in names)

    # Life goes on: new pledges, a round and a run; files removed, changed and added.
    worker(fresh, "prepare")
    (media / "photos" / "serah-terima.jpg").unlink()
    (media / "receipts" / "kwitansi-1.pdf").write_bytes(b"%PDF-1.4 changed")
    (media / "receipts" / "kwitansi-2.pdf").write_bytes(b"%PDF-1.4 new")
    assert worker(fresh, "counts")["counts"] != before["counts"]

    refused = _run(fresh, "restore", str(archive))
    assert refused.returncode == 1 and "--yes" in refused.stderr

    out = ksbb(fresh, "restore", str(archive), "--yes")
    assert "audit log OK" in out
    after = worker(fresh, "counts")
    assert after["audit_ok"]
    # The same rows as at backup time, plus the restore's own audit entry (the backup's
    # entry was written after its snapshot, so it is gone with the rest).
    expected = {**before["counts"],
                "core_auditentry": before["counts"]["core_auditentry"] + 1}
    assert after["counts"] == expected
    assert after["audit_seq"] == before["audit_seq"] + 1
    assert after["hashes"][str(before["audit_seq"])] == before["audit_hash"]
    assert _files(media) == files_before


def test_restore_refuses_what_is_not_a_backup(fresh, tmp_path):  # type: ignore[no-untyped-def]
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive")
    done = _run(fresh, "restore", str(bogus), "--yes")
    assert done.returncode == 1 and "is not a KSBB backup" in done.stderr


@pytest.mark.postgres_only
def test_backup_names_a_pg_dump_too_old_for_the_server(fresh, tmp_path):  # type: ignore[no-untyped-def]
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (fake / "pg_dump").chmod(0o755)
    env = {**fresh, "PATH": f"{fake}:{fresh.get('PATH', '')}"}
    done = _run(env, "backup", "--output", str(tmp_path / "b.tar.gz"))
    assert done.returncode == 1
    assert "pg_dump is version 9 but the server runs PostgreSQL" in done.stderr
    assert not (tmp_path / "b.tar.gz").exists()


def test_backup_and_restore_carry_the_buckets_objects(fresh, tmp_path):  # type: ignore[no-untyped-def]
    """With KSBB_STORAGE_URL the uploaded files live in the bucket: the backup reads them
    from there, and a restore puts exactly those objects back (and drops newer ones)."""
    bucket_name = f"ksbb-b-{uuid.uuid4().hex[:12]}"
    env = {**fresh, "KSBB_STORAGE_URL": s3_url(bucket_name)}
    bucket = PrivateS3Storage(**storage_settings(bucket_name)["OPTIONS"]).bucket
    bucket.create()
    try:
        bucket.put_object(Key="receipts/kwitansi-1.pdf", Body=b"%PDF-1.4 receipt")
        bucket.put_object(Key="photos/serah-terima.jpg", Body=b"\xff\xd8\xff photo")
        archive = tmp_path / "ksbb.tar.gz"
        ksbb(env, "backup", "--output", str(archive))
        with tarfile.open(archive) as tar:
            assert {"media/receipts/kwitansi-1.pdf", "media/photos/serah-terima.jpg"} <= set(
                tar.getnames())
        bucket.Object("photos/serah-terima.jpg").delete()
        bucket.put_object(Key="receipts/kwitansi-1.pdf", Body=b"changed")
        bucket.put_object(Key="receipts/kwitansi-2.pdf", Body=b"new")

        ksbb(env, "restore", str(archive), "--yes")
        assert {obj.key: obj.get()["Body"].read() for obj in bucket.objects.all()} == {
            "receipts/kwitansi-1.pdf": b"%PDF-1.4 receipt",
            "photos/serah-terima.jpg": b"\xff\xd8\xff photo"}
    finally:
        bucket.objects.all().delete()
        bucket.delete()
