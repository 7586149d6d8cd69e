"""Backup and restore of a whole KSBB installation: the database and the uploaded files.

A backup is one ``.tar.gz`` holding ``manifest.json``, the database (``database.sqlite3``,
a copy made with SQLite's online backup API, or ``database.pgdump``, ``pg_dump -Fc``) and
``media/`` (receipts, photos, BAST PDFs), read from the data folder or, with
``KSBB_STORAGE_URL``, from the S3 bucket (and put back there by a restore). The manifest
records the format, the KSBB version, the time, the database kind, the database file's
SHA-256, the row count of every table and the audit log's head, all read from the same
snapshot as the dump itself, so a restore can prove that it put back exactly what was saved.

Both work while the site runs: SQLite's backup API copies a consistent snapshot even with
writers in WAL mode, and pg_dump is given the snapshot the counts were read in.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from ksbb.core.models import AuditEntry
from ksbb.core.storage import all_files, ensure_bucket, is_object_storage

FORMAT = 1
MANIFEST = "manifest.json"
Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Snapshot:
    counts: dict[str, int]
    audit_seq: int
    audit_hash: str


def ksbb_version() -> str:
    try:
        return version("ksbb")
    except PackageNotFoundError:
        return "unknown"


def database_kind() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of a {vendor} database are not supported")
    return vendor


def _tables() -> list[str]:
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)
              if m._meta.managed and not m._meta.proxy}
    return sorted(tables)


def _snapshot(cursor: Any, quote: Callable[[str], str],
              tables: list[str] | None = None) -> Snapshot:
    """Row counts and audit head through a DB-API cursor (of either database)."""
    counts: dict[str, int] = {}
    for table in tables if tables is not None else _tables():
        try:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
        except Exception:  # a table the database does not have (yet)
            raise BackupError(f"table {table} is missing: run `ksbb migrate` first") from None
        counts[table] = int(cursor.fetchone()[0])
    cursor.execute(f"SELECT seq, hash FROM {quote(AuditEntry._meta.db_table)} "  # noqa: S608
                   "ORDER BY seq DESC LIMIT 1")
    row = cursor.fetchone()
    return Snapshot(counts, int(row[0]) if row else 0, str(row[1]) if row else "0" * 64)


def current_snapshot(tables: list[str] | None = None) -> Snapshot:
    with connection.cursor() as cursor:
        return _snapshot(cursor, connection.ops.quote_name, tables)


def database_is_empty() -> bool:
    """No table of ours has a row (or the tables do not exist yet)."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in _tables():
            if table in existing and table != "django_migrations":
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return False
    return True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# SQLite ----------------------------------------------------------------------------------

def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(name)


def _sqlite_dump(target: Path) -> Snapshot:
    source = sqlite3.connect(_sqlite_path())
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole database as of one read transaction.
        source.backup(copy)
        snap = _snapshot(copy.cursor(), lambda t: f'"{t}"')
    finally:
        copy.close()
        source.close()
    return snap


def _sqlite_load(dump: Path) -> None:
    connection.close()
    source = sqlite3.connect(dump)
    live = sqlite3.connect(_sqlite_path(), timeout=60)
    try:
        # Page by page into the live file, under its write lock: other processes see the
        # old database or the restored one, never a mixture.
        source.backup(live)
    finally:
        live.close()
        source.close()


# PostgreSQL ------------------------------------------------------------------------------

def _pg_env() -> dict[str, str]:
    """libpq's variables from the database settings (KSBB_DATABASE_URL)."""
    cfg = connection.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                     ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):
        if cfg.get(key):
            env[var] = str(cfg[key])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools of the server's "
            f"version (e.g. apt-get install postgresql-client) and put them on PATH")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    tool_major = int(found.group(1)) if found else 0
    connection.ensure_connection()
    server_major = int(connection.cursor().connection.info.server_version) // 10000
    if tool_major < server_major:
        raise BackupError(
            f"{name} is version {tool_major} but the server runs PostgreSQL {server_major}: "
            f"install the client tools of version {server_major} or newer")
    return path


def _pg_run(args: list[str], what: str) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")


def _pg_dump(target: Path) -> Snapshot:
    pg_dump = _pg_tool("pg_dump")
    import psycopg

    cfg = connection.settings_dict
    # Counts and dump from one snapshot: pg_dump joins the transaction exported here.
    with psycopg.connect(host=cfg.get("HOST") or None, port=cfg.get("PORT") or None,
                         user=cfg.get("USER") or None, password=cfg.get("PASSWORD") or None,
                         dbname=cfg["NAME"]) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot_id = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        snap = _snapshot(conn.cursor(), lambda t: f'"{t}"')
        _pg_run([pg_dump, "-Fc", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot_id}", "-f", str(target)], "pg_dump")
        conn.rollback()
    return snap


def _pg_load(dump: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    connection.close()
    _pg_run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", "-d", str(connection.settings_dict["NAME"]),
             str(dump)], "pg_restore")


# Backup and restore ----------------------------------------------------------------------

def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _pack_stored_file(tar: tarfile.TarFile, name: str) -> None:
    """One uploaded file into the archive, streamed from whichever storage holds it."""
    info = tarfile.TarInfo(f"media/{name}")
    info.size = default_storage.size(name)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    with default_storage.open(name, "rb") as fh:
        tar.addfile(info, fh)


def _restore_object_storage(restored_media: Path) -> None:
    """The bucket's objects replaced by the archive's files, under the same names."""
    ensure_bucket()
    bucket = default_storage.bucket  # type: ignore[attr-defined]
    bucket.objects.all().delete()
    if not restored_media.is_dir():
        return
    for path in sorted(p for p in restored_media.rglob("*") if p.is_file()):
        bucket.upload_file(str(path), path.relative_to(restored_media).as_posix())


def backup(output: Path, *, say: Say = lambda _m: None) -> dict[str, Any]:
    """Write the archive to ``output``; returns the manifest."""
    kind = database_kind()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ksbb-backup-", dir=output.parent) as tmp:
        dump = Path(tmp) / ("database.sqlite3" if kind == "sqlite" else "database.pgdump")
        say(f"Copying the {kind} database ...")
        snap = _sqlite_dump(dump) if kind == "sqlite" else _pg_dump(dump)
        media_files = list(all_files())
        manifest = {
            "format": FORMAT, "ksbb_version": ksbb_version(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": kind, "database_file": dump.name, "database_sha256": _sha256(dump),
            "counts": snap.counts, "rows": sum(snap.counts.values()),
            "audit_head": {"seq": snap.audit_seq, "hash": snap.audit_hash},
            "media_files": len(media_files),
            "storage": "s3" if is_object_storage() else "local",
        }
        (Path(tmp) / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        say(f"Packing {manifest['rows']} rows and {len(media_files)} uploaded files ...")
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(tmp) / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=dump.name)
            for name in media_files:
                _pack_stored_file(tar, name)
        # Never a half-written archive under the final name.
        partial.replace(output)
    return manifest


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is not a KSBB backup ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: backup format {manifest.get('format')} is not "
                          f"supported (expected {FORMAT})")
    return manifest


def restore(archive: Path, *, say: Say = lambda _m: None) -> dict[str, Any]:
    """Replace the database and the uploaded files with the archive's; returns the
    manifest. The caller checks that overwriting is wanted."""
    manifest = read_manifest(archive)
    kind = database_kind()
    if manifest["database"] != kind:
        raise BackupError(f"the backup holds a {manifest['database']} database, this "
                          f"installation uses {kind}")
    media = _media_root()
    media.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ksbb-restore-", dir=media.parent) as tmp:
        say("Unpacking the backup ...")
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(tmp, filter="data")
        dump = Path(tmp) / manifest["database_file"]
        if not dump.is_file() or _sha256(dump) != manifest["database_sha256"]:
            raise BackupError(f"{archive}: the database file does not match its manifest")
        restored_media = Path(tmp) / "media"
        found = sum(1 for p in restored_media.rglob("*") if p.is_file()) \
            if restored_media.is_dir() else 0
        if found != manifest["media_files"]:
            raise BackupError(f"{archive}: {found} uploaded files, the manifest lists "
                              f"{manifest['media_files']}")
        say(f"Restoring the {kind} database ({manifest['rows']} rows) ...")
        _sqlite_load(dump) if kind == "sqlite" else _pg_load(dump)
        say(f"Restoring {found} uploaded files ...")
        if is_object_storage():
            _restore_object_storage(restored_media)
        else:
            old = Path(tmp) / "media-before-restore"
            if media.exists():
                media.replace(old)
            if restored_media.is_dir():
                restored_media.replace(media)
            else:
                media.mkdir()
    connection.close()
    snap = current_snapshot(sorted(manifest["counts"]))
    expected = manifest["audit_head"]
    if snap.counts != manifest["counts"] or (snap.audit_seq, snap.audit_hash) != (
            expected["seq"], expected["hash"]):
        raise BackupError("the restored database does not match the backup's manifest")
    return manifest
