"""``ksbb load_rws FILE``: RWs into areas, then every RW registered as a recipient. Lives
in needs, which knows recipients; areas (a base app) knows nothing of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksbb.areas.services import RW_COLUMNS, rws_import
from ksbb.core.domain import SystemActor
from ksbb.core.tables import HostileContent, TableError, read_rows
from ksbb.needs.services import recipients_ensure_for_rws


class Command(BaseCommand):
    help = (
        "Import RWs from a CSV or XLSX file with the columns "
        + ", ".join(RW_COLUMNS)
        + ". All or nothing: any bad row stops the import and every bad row is listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            report = rws_import(rows=read_rows(path, required=RW_COLUMNS),
                                by=SystemActor("load_rws"))
        except HostileContent as exc:
            for error in exc.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported") from exc
        except TableError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(
                f"{len(report.errors)} error(s) in {report.rows} rows; nothing was imported"
            )
        recipients_ensure_for_rws(by=SystemActor("load_rws"))
        self.stdout.write(
            f"RWs: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
