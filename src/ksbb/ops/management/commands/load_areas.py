"""`ksbb load_areas`: the areas and, with them, their shipped boundaries (maps). In ops rather
than in areas because it drives two apps: areas is a base app and imports no domain app
(tests/test_layering.py)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ksbb.areas.services import areas_load_reference, known_provinces, reference_rows
from ksbb.core.domain import SystemActor
from ksbb.stats.boundaries import boundaries_load_shipped


class Command(BaseCommand):
    help = (
        "Load the Kemendagri areas (province to village) shipped with KSBB. "
        "Without --province, the whole of Indonesia. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province", action="append", metavar="CODE",
            help="province code such as 31 (DKI Jakarta); repeat for several",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--no-boundaries", action="store_true",
                            help="do not load the shipped boundaries (maps) of these areas")

    def handle(self, *args: Any, **options: Any) -> None:
        provinces = options["province"]
        if provinces:
            unknown = sorted(set(provinces) - known_provinces())
            if unknown:
                raise CommandError(f"unknown province code(s): {', '.join(unknown)}")
        total = sum(1 for _ in reference_rows(provinces))
        started = time.perf_counter()
        with tqdm(total=total, unit="area", disable=options["no_progress"] or None,
                  file=self.stderr._out) as bar:
            report = areas_load_reference(by=SystemActor("load_areas"), provinces=provinces,
                                          progress=bar.update)
        self.stdout.write(
            f"areas: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged ({time.perf_counter() - started:.1f} s)"
        )
        if not options["no_boundaries"]:
            # The maps come with the areas: the shipped boundaries (CC BY-IGO) of every area
            # loaded, so a fresh `ksbb up` draws its choropleths out of the box.

            shapes = boundaries_load_shipped(provinces=provinces, by=SystemActor("load_areas"))
            self.stdout.write(
                f"boundaries: {shapes.created} created, {shapes.updated} updated, "
                f"{shapes.unchanged} unchanged")
