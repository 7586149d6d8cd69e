from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksbb.areas.models import Area
from ksbb.core.domain import SystemActor
from ksbb.stats.boundaries import (
    BoundaryFileError,
    boundaries_load,
    boundaries_load_shipped,
    read_features,
)

LEVELS = {"regency": Area.Level.REGENCY, "district": Area.Level.DISTRICT,
          "village": Area.Level.VILLAGE}


class Command(BaseCommand):
    help = ("Load area boundaries (a GeoJSON FeatureCollection of polygons) for the coverage "
            "map, matching each feature to an area by its Kemendagri code ('31.71' or "
            "'3171'). All or nothing; running it again changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?",
                            help="a GeoJSON file; without it, --shipped")
        parser.add_argument("--shipped", action="store_true",
                            help="the boundaries shipped with KSBB (Indonesia's provinces "
                            "and regencies, Jakarta's districts and villages) of the areas "
                            "loaded; `ksbb load_areas` does this already")
        parser.add_argument("--level", choices=sorted(LEVELS),
                            help="only match areas of this level")
        parser.add_argument("--code-property", default="code",
                            help="feature property holding the area code (default: code)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["file"]
        if path is None or options["shipped"]:
            if path is not None:
                raise CommandError("give a file or --shipped, not both")

            report = boundaries_load_shipped(by=SystemActor("load_boundaries"))
            self.stdout.write(
                f"Boundaries (shipped): {report.matched} matched; {report.created} created, "
                f"{report.updated} updated, {report.unchanged} unchanged")
            return
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            features = read_features(path.read_text(encoding="utf-8"))
        except (BoundaryFileError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: {exc}; nothing was loaded") from exc
        level = LEVELS[options["level"]] if options["level"] else None
        report = boundaries_load(features=features, level=level,
                                 code_property=options["code_property"],
                                 by=SystemActor("load_boundaries"))
        if report.unmatched:
            shown = ", ".join(report.unmatched[:20])
            more = " ..." if len(report.unmatched) > 20 else ""
            self.stderr.write(f"unmatched: {shown}{more}")
        self.stdout.write(
            f"Boundaries: {report.matched} matched, {len(report.unmatched)} unmatched; "
            f"{report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged")
