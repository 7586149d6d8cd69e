from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Solve an allocation problem file (pledges and needs, JSON) and write the plan "
        "(JSON). Bad input: a message naming the record, exit status 2, no output file."
    )
    # The engine works on files only; no database needed.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path, help="problem.json")
        parser.add_argument("--output", required=True, type=Path, help="plan.json")

    def handle(self, *args: Any, **options: Any) -> None:
        from ksbb.allocation.engine import ProblemError, load_problem, solve

        source: Path = options["input"]
        target: Path = options["output"]
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self._fail(f"{source}: no such file")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._fail(f"{source}: not valid JSON ({exc})")
        try:
            problem = load_problem(data)
        except ProblemError as exc:
            self._fail(f"{source}: {exc}")
        plan = solve(problem)
        # Write beside the target, then rename: a reader never sees half a plan.
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(plan.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(target)
        summary = plan.to_dict()["summary"]
        self.stdout.write(
            f"{len(plan.to_dict()['allocations'])} allocation lines written to {target} "
            f"(lowest coverage {summary.get('lowest_coverage_ratio')}, "
            f"{summary.get('solve_seconds')} s)"
        )

    def _fail(self, message: str) -> None:
        self.stderr.write(f"error: {message}")
        sys.exit(2)
