from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksbb.core.domain import SystemActor
from ksbb.privacy.services import purge_personal_data


class Command(BaseCommand):
    help = ("Erase personal data kept longer than KSBB_PERSONAL_DATA_RETENTION_DAYS and no "
            "longer needed (resolved misuse reports' contacts and photos, closed accounts). "
            "Safe to run daily from cron; a second run finds nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="count what would be erased; change nothing")
        parser.add_argument("--days", type=int, default=None,
                            help="retention in days (default: the setting)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] is not None and options["days"] < 1:
            raise CommandError("--days must be at least 1")
        result = purge_personal_data(by=SystemActor("purge_personal_data"),
                                     dry_run=options["dry_run"],
                                     retention_days=options["days"])
        verb = "would erase" if result.dry_run else "erased"
        counts = result.counts
        self.stdout.write(f"cutoff {result.cutoff.isoformat(timespec='seconds')}: {verb} "
                          f"{counts['report_contacts']} misuse report contacts, "
                          f"{counts['report_photos']} misuse report photos, "
                          f"{counts['accounts']} closed accounts, "
                          f"{counts['collaborators']} donor contacts, "
                          f"{counts['households']} households moved away or deceased")
