"""``ksbb notifications retry``: queue the failed e-mails again (and those whose task was
lost); ``ksbb notifications due``: remind officers of misuse reports due (daily, cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ksbb.core.domain import SystemActor
from ksbb.notifications.events import reports_remind_due
from ksbb.notifications.services import notifications_retry


class Command(BaseCommand):
    help = "Notifications: retry failed e-mails, remind of misuse reports due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["retry", "due"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "retry":
            n = notifications_retry(by=SystemActor("notifications retry"))
            self.stdout.write(f"{n} e-mail(s) queued again")
        else:
            n = reports_remind_due(by=SystemActor("notifications due"))
            self.stdout.write(f"{n} reminder(s) written")
