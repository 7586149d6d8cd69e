from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksbb.core.domain import Refusal, SystemActor
from ksbb.regions.selectors import regions
from ksbb.regions.services import region_add


class Command(BaseCommand):
    help = ("Regions that run their own KSBB in this installation: "
            "`region add CODE [--name NAME] [--admin EMAIL]`, `region list`.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a region: loads its areas if missing, creates "
                             "its government organisation, invites its administrator")
        add.add_argument("code", help="a province (32) or a regency/city (32.73)")
        add.add_argument("--name", default="", help='for example "KSBB Jawa Barat"')
        add.add_argument("--slug", default="", help="short name in addresses "
                         "(default: from the area's name)")
        add.add_argument("--admin", default="", metavar="EMAIL",
                         help="invite this person as the region's first administrator")
        add.add_argument("--default", action="store_true",
                         help="make it the default region")
        sub.add_parser("list", help="list the regions")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for region in regions().prefetch_related("organizations"):
                orgs = ", ".join(o.name for o in region.organizations.all()) or "-"
                mark = " (default)" if region.is_default else ""
                self.stdout.write(f"{region.code:6} {region.slug:24} {region.name}{mark}"
                                  f"  [{orgs}]")
            return
        started = time.perf_counter()
        try:
            region = region_add(code=options["code"], name=options["name"],
                                slug=options["slug"], admin_email=options["admin"],
                                is_default=options["default"], by=SystemActor("region_add"))
        except Refusal as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"region {region.code} {region.name} ({region.slug}) added in "
                          f"{time.perf_counter() - started:.1f} s")
        if options["admin"]:
            self.stdout.write(f"invited {options['admin']} as its administrator")
