"""``ksbb stats_rebuild``: recompute the dashboard's rollups from the source tables."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from ksbb.stats.rollups import rebuild


class Command(BaseCommand):
    help = ("Recompute the statistics rollups (what the public dashboard reads) from the "
            "pledges, purchases and handover reports, in one transaction.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true",
                            help="print only the summary")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(message: str) -> None:
            if not options["no_progress"]:
                self.stdout.write(f"  {time.perf_counter() - started:6.1f} s  {message}")

        counts = rebuild(progress=progress)
        self.stdout.write(self.style.SUCCESS(
            "rollups rebuilt in {:.1f} s: {}".format(
                time.perf_counter() - started,
                ", ".join(f"{name} {n:,}" for name, n in counts.items()))))
