from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksbb.core.audit import audit_log, audit_verify
from ksbb.core.domain import SystemActor
from ksbb.ops.backup import BackupError, database_is_empty, read_manifest, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `ksbb backup`: the database and the uploaded files are "
        "replaced by the archive's, checked against its manifest, and the audit log is "
        "verified. A database that is not empty is only overwritten with --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true",
                            help="overwrite a database that already holds data")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["file"]
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file")
        try:
            manifest = read_manifest(archive)
            head = manifest["audit_head"]
            self.stdout.write(
                f"Backup of {manifest['created_at']} (KSBB {manifest['ksbb_version']}, "
                f"{manifest['database']}): {manifest['rows']} rows, "
                f"{manifest['media_files']} uploaded files, audit head #{head['seq']}")
            if not options["yes"] and not database_is_empty():
                raise CommandError(
                    "the database is not empty: its data and uploaded files would be "
                    "replaced; run again with --yes to do so")
            restore(archive, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Verifying the audit log ...")
        result = audit_verify()
        if not result.ok:
            raise CommandError(f"restored, but the audit log is BROKEN at entry "
                               f"#{result.first_broken_seq}: {result.problem}")
        audit_log(actor=SystemActor("restore"), action="ops.restored", object_type="ops.backup",
                  object_id=archive.name, after={
                      "created_at": manifest["created_at"], "rows": manifest["rows"],
                      "media_files": manifest["media_files"], "audit_seq": head["seq"],
                      "audit_hash": head["hash"]})
        self.stdout.write(self.style.SUCCESS(
            f"Restored {manifest['rows']} rows and {manifest['media_files']} uploaded files; "
            f"audit log OK ({result.checked} entries)"))
