from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Solve an allocation problem file (pledges and needs, JSON) and write the plan "
        "(JSON). Bad input: a message naming the record, exit status 2, no output file."
    )
    # The engine works on files only: no database, so no checks that would touch one.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path, help="problem.json")
        parser.add_argument("--output", required=True, type=Path, help="plan.json")

    def handle(self, *args: Any, **options: Any) -> None:
        from ksbb.allocation.engine import ProblemError, run_file

        source: Path = options["input"]
        try:
            plan = run_file(source, options["output"])
        except FileNotFoundError:
            self._fail(f"{source}: no such file")
        except (ProblemError, UnicodeDecodeError) as exc:
            self._fail(f"{source}: {exc}")
        summary = plan.to_dict()["summary"]
        self.stdout.write(
            f"{len(plan.allocations)} allocation lines written to {options['output']} "
            f"(lowest coverage {summary['lowest_ratio']}, "
            f"solved in {summary['solve_seconds']} s)"
        )

    def _fail(self, message: str) -> None:
        self.stderr.write(f"error: {message}")
        sys.exit(2)
