"""The demo data set: Jakarta's 2,705 RWs (invented figures) and one account per role.

Everything here is marked as demo data. It is loaded by ``ksbb up`` only into an empty
database, and never in production (KSBB_DEMO=0).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import membership_grant, organization_create, user_create
from ksbb.areas.models import Area
from ksbb.areas.services import rws_import
from ksbb.needs.models import Recipient
from ksbb.needs.services import recipients_ensure_for_rws

JAKARTA_RW_COUNT = 2705
_ACTOR = "system:demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str


def demo_rw_rows(
    province: str = "31", total: int = JAKARTA_RW_COUNT
) -> list[tuple[int, dict[str, str]]]:
    """Spread ``total`` RWs over the province's villages with plausible, invented figures."""
    villages = list(
        Area.objects.filter(level=Area.Level.VILLAGE, code__startswith=f"{province}.")
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not villages:
        return []
    rng = random.Random(31)  # fixed seed: the same demo on every machine
    base, extra = divmod(total, len(villages))
    rich = set(rng.sample(range(len(villages)), extra))
    rows: list[tuple[int, dict[str, str]]] = []
    for index, village in enumerate(villages):
        for rw in range(1, base + (1 if index in rich else 0) + 1):
            households = rng.randint(250, 1400)
            population = int(households * rng.uniform(3.2, 4.6))
            poor = int(households * rng.uniform(0.04, 0.35))
            rows.append(
                (
                    len(rows) + 2,
                    {
                        "village_code": village,
                        "rw": str(rw),
                        "households": str(households),
                        "population": str(population),
                        "poor_households": str(poor),
                    },
                )
            )
    return rows


def _password() -> str:
    return "demo-" + secrets.token_urlsafe(9)


def seed_demo(province: str = "31") -> list[DemoAccount]:
    """Create the demo set; returns the accounts with their passwords."""
    with transaction.atomic():
        report = rws_import(rows=demo_rw_rows(province), by=_ACTOR, is_demo=True)
        if not report.ok:
            raise RuntimeError(f"demo RWs did not import: {report.errors[:3]}")
        recipients_ensure_for_rws(by=_ACTOR)
        village = (
            Area.objects.filter(level=Area.Level.VILLAGE, code__startswith=f"{province}.")
            .order_by("code")
            .first()
        )
        region = village.parent.parent if village and village.parent else None

        def org(kind: str, name: str) -> Organization:
            return organization_create(kind=kind, name=name, by=_ACTOR, area=region, is_demo=True)

        government = org(Organization.Kind.GOVERNMENT, "Dinas Sosial (demo)")
        kelurahan = org(
            Organization.Kind.GOVERNMENT,
            f"Kantor Kelurahan {village.name if village else ''} (demo)",
        )
        aggregator = org(Organization.Kind.AGGREGATOR, "Lembaga Kemanusiaan Contoh (demo)")
        executor = org(Organization.Kind.EXECUTOR, "Relawan Pelaksana Contoh (demo)")
        collaborator = org(Organization.Kind.COLLABORATOR, "PT Donatur Contoh (demo)")
        recipient = Recipient.objects.filter(area__parent=village).order_by("area_id").first()

        cast: list[tuple[str, Role, dict[str, Any]]] = [
            ("admin", Role.PLATFORM_ADMIN, {}),
            ("assessor", Role.ASSESSOR, {"organization": government}),
            ("aggregator", Role.AGGREGATOR_STAFF, {"organization": aggregator}),
            ("executor", Role.EXECUTOR_STAFF, {"organization": executor}),
            (
                "kelurahan",
                Role.KELURAHAN_OFFICER,
                {"organization": kelurahan, "villages": [village] if village else []},
            ),
            ("ketua_rw", Role.RECIPIENT_REPRESENTATIVE, {"recipient": recipient}),
            ("collaborator", Role.COLLABORATOR, {"organization": collaborator}),
        ]
        accounts = []
        for username, role, scope in cast:
            password = _password()
            user = user_create(
                username=username,
                password=password,
                by=_ACTOR,
                full_name=f"Demo {Role(role).label}",
                is_superuser=role == Role.PLATFORM_ADMIN,
            )
            membership_grant(user=user, role=role, by=_ACTOR, **scope)
            accounts.append(DemoAccount(username, password, str(Role(role).label)))
    _accounts_file().write_text(
        "".join(f"{a.username}\t{a.password}\t{a.role}\n" for a in accounts), encoding="utf-8"
    )
    _accounts_file().chmod(0o600)
    return accounts


def _accounts_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-accounts.tsv"


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts of this data folder, as created by :func:`seed_demo`."""
    path = _accounts_file()
    if not path.exists():
        return []
    return [DemoAccount(*line.split("\t")) for line in path.read_text().splitlines() if line]
