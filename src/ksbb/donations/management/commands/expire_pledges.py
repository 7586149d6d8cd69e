from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from ksbb.donations.services import pledges_expire


class Command(BaseCommand):
    help = ("Cancel the submitted pledges that no aggregator received within "
            "KSBB_PLEDGE_PROMISE_DAYS (audited); safe to run daily from cron.")

    def handle(self, *args: Any, **options: Any) -> None:
        expired = pledges_expire()
        self.stdout.write(f"{expired} pledges not received within "
                          f"{settings.KSBB_PLEDGE_PROMISE_DAYS} days cancelled")
