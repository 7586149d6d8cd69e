from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from ksbb.core.audit import audit_log
from ksbb.core.domain import SystemActor
from ksbb.donations.models import Item, Program
from ksbb.donations.seed import seed_programs


class Command(BaseCommand):
    help = "Create the standard KSBB programmes and aid items that are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = seed_programs(Program, Item)
            if created:
                audit_log(actor=SystemActor("seed"), action="programs.seeded",
                          object_type="donations.program", object_id="seed",
                          after={"created": created})
        self.stdout.write(f"{created} programmes and items created")
