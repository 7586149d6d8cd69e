from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksbb.core.audit import audit_head, audit_verify


class Command(BaseCommand):
    help = "Check the hash chain of the audit log (verify) or print its latest head (head)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "head"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            head = audit_head()
            self.stdout.write(f"{head.seq} {head.hash}")
            return
        result = audit_verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {result.checked} entries, chain intact"))
            return
        # CommandError exits with status 1, which scripts and cron jobs can act on.
        raise CommandError(
            f"BROKEN at entry #{result.first_broken_seq}: {result.problem} "
            f"({result.checked} entries before it are intact)"
        )
