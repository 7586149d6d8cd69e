from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksbb.core.audit import audit_log
from ksbb.core.domain import SystemActor
from ksbb.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files into one .tar.gz (with a manifest: "
        "version, time, database kind, row counts, audit head). Safe while the site runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None,
                            help="archive to write (default: <data folder>/backups/"
                                 "ksbb-<time>.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"] or (
            Path(settings.DATA_DIR) / "backups"
            / f"ksbb-{datetime.now().strftime('%Y%m%d-%H%M%S')}.tar.gz")
        try:
            manifest = backup(output, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        head = manifest["audit_head"]
        audit_log(actor=SystemActor("backup"), action="ops.backed_up", object_type="ops.backup",
                  object_id=output.name, after={
                      "database": manifest["database"], "rows": manifest["rows"],
                      "media_files": manifest["media_files"], "audit_seq": head["seq"],
                      "sha256": manifest["database_sha256"]})
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {output} ({output.stat().st_size:,} bytes): "
            f"{manifest['rows']} rows, {manifest['media_files']} uploaded files, "
            f"audit head #{head['seq']} {head['hash'][:12]}"))
