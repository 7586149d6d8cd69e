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
from ksbb.core.domain import SystemActor
from ksbb.needs.models import Recipient
from ksbb.needs.services import recipients_ensure_for_rws

JAKARTA_RW_COUNT = 2705
_ACTOR = SystemActor("demo")


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
        # A village in a city (regency codes 71 and up are cities) makes a livelier demo
        # than an island regency; any village of the province will do otherwise.
        villages = Area.objects.filter(level=Area.Level.VILLAGE).order_by("code")
        village = (villages.filter(code__startswith=f"{province}.7").first()
                   or villages.filter(code__startswith=f"{province}.").first())
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
        users: dict[str, Any] = {}
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
            users[username] = user
            accounts.append(DemoAccount(username, password, str(Role(role).label)))
        if village is not None and recipient is not None:
            seed_demo_activity(users=users, aggregator=aggregator, executor=executor,
                               collaborator=collaborator, village=village, recipient=recipient)
            from ksbb.households.demo import seed_demo_households

            seed_demo_households(users=users, village=village, recipient=recipient)
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


# Donors of every kind, spread over Jakarta's cities, so that the dashboard's shares show.
_DEMO_DONORS = [
    ("social_org", "Yayasan Amal Bersama (demo)", "31.74", 1500),
    ("community", "Komunitas Peduli Jakarta (demo)", "31.75", 300),
    ("government", "BUMD Pangan Contoh (demo)", "31.72", 200),
]


def seed_demo_activity(
    *, users: dict[str, Any], aggregator: Organization, executor: Organization,
    collaborator: Organization, village: Area, recipient: Recipient,
) -> None:
    """The whole flow once, through the services and as the demo users: pledges received,
    a money pledge turned into packages, an assessment round for the demo village, an
    allocation run approved, deliveries scheduled, and one BAST signed by its three
    parties. A newcomer then sees every page with something on it."""
    import datetime as dt

    from django.utils import timezone

    from ksbb.allocation.services import run_approve, run_execute, run_start
    from ksbb.distribution.selectors import allocations_to_deliver
    from ksbb.distribution.services import (
        delivery_deliver,
        delivery_dispatch,
        delivery_schedule,
        handover_confirm,
        handover_create,
    )
    from ksbb.donations.models import Item
    from ksbb.donations.services import (
        aggregator_profile_create,
        aggregator_verify,
        collaborator_profile_create,
        pledge_receive,
        pledge_submit,
        purchase_record,
    )
    from ksbb.needs.services import need_set, round_open

    today = timezone.localdate()
    sembako = Item.objects.get(code="sembako")
    aggregator_profile_create(organization=aggregator, licence_number="KEMENSOS-DEMO-001",
                              licence_valid_until=today + dt.timedelta(days=365), by=_ACTOR)
    aggregator_verify(aggregator=aggregator, by=users["admin"])
    collaborator_profile_create(organization=collaborator, kind="business",
                                email="csr@donatur.invalid", legal_name="PT Donatur Contoh",
                                by=_ACTOR)
    staff = users["aggregator"]
    pledge = pledge_submit(collaborator=collaborator, aggregator=aggregator, item=sembako,
                           quantity=1000, by=users["collaborator"])
    pledge_receive(pledge=pledge, received_quantity=950, by=staff)

    for kind, name, regency, quantity in _DEMO_DONORS:
        org = organization_create(kind=Organization.Kind.COLLABORATOR, name=name, by=_ACTOR,
                                  area=Area.objects.get(code=regency), is_demo=True)
        collaborator_profile_create(organization=org, kind=kind,
                                    email=f"donor-{kind}@demo.invalid", by=_ACTOR)
        donor = user_create(username=f"donor-{kind}", password=None, by=_ACTOR,
                            full_name=name)
        membership_grant(user=donor, role=Role.COLLABORATOR, organization=org, by=_ACTOR)
        pledge = pledge_submit(collaborator=org, aggregator=aggregator, item=sembako,
                               quantity=quantity, by=donor)
        pledge_receive(pledge=pledge, received_quantity=quantity, by=staff)

    # A person gives Rp 5,000,000; the aggregator buys 16 packages with Rp 4,800,000 of it.
    person = organization_create(kind=Organization.Kind.COLLABORATOR,
                                 name="Donatur perorangan (demo)", by=_ACTOR,
                                 area=village.parent, is_demo=True)
    collaborator_profile_create(organization=person, kind="individual",
                                email="donor-individual@demo.invalid", by=_ACTOR)
    giver = user_create(username="donor-individual", password=None, by=_ACTOR,
                        full_name="Donatur perorangan")
    membership_grant(user=giver, role=Role.COLLABORATOR, organization=person, by=_ACTOR)
    money = pledge_submit(collaborator=person, aggregator=aggregator,
                          program=sembako.program, amount=5_000_000, by=giver)
    money = pledge_receive(pledge=money, received_amount=5_000_000, by=staff)
    purchase_record(aggregator=aggregator, item=sembako, quantity=16, cost_rupiah=4_800_000,
                    supplier="Toko Grosir Contoh", funding=[(money, 4_800_000)], by=staff)

    # The assessor's round: one package per poor household in each RW of the demo village.
    assessor = users["assessor"]
    rnd = round_open(name=f"Pangan {village.name} (demo)", program=sembako.program,
                     period_start=today.replace(day=1), period_end=today + dt.timedelta(days=30),
                     by=assessor)
    for rw_recipient in Recipient.objects.filter(area__parent=village).select_related("area"):
        poor = rw_recipient.area.poor_households or 0
        if poor:
            need_set(round=rnd, recipient=rw_recipient, item=sembako, quantity=poor,
                     priority=1 if rw_recipient.pk == recipient.pk else 2, by=assessor)
    run = run_start(round=rnd, by=assessor)
    run = run_execute(run_id=run.pk)  # the worker finds it done and leaves it alone
    run_approve(run=run, by=assessor)

    # Deliveries for every RW; the one whose ketua RW is a demo account is handed over.
    waiting = list(allocations_to_deliver())
    for rw_recipient in {a.recipient for a in waiting}:
        mine = [a for a in waiting if a.recipient_id == rw_recipient.pk]
        delivery = delivery_schedule(allocations=mine, executor=executor,
                                     scheduled_for=today, by=staff)
        if rw_recipient.pk != recipient.pk:
            continue
        delivery_dispatch(delivery=delivery, by=users["executor"])
        delivery_deliver(delivery=delivery, by=users["executor"])
        handover = handover_create(
            delivery=delivery, date=today,
            lines={line.pk: line.quantity for line in delivery.lines.all()},
            address=f"Balai warga {rw_recipient.area.name}, {village.name}",
            by=users["executor"])
        for role, username in (("giver", "executor"), ("receiver", "ketua_rw"),
                               ("witness", "kelurahan")):
            handover = handover_confirm(handover=handover, role=role, by=users[username])
