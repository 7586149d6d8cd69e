from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ksbb.allocation.engine.cli import HELP, add_arguments, run


class Command(BaseCommand):
    # `ksbb allocate` on the command line does not come here (ksbb.cli dispatches it before
    # Django loads); call_command and `django-admin allocate` do.
    help = HELP
    # The engine works on files only: no database, so no checks that would touch one.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        status = run(options["input"], options["output"], options["workers"], self.stdout,
                     self.stderr)
        if status:
            sys.exit(status)
