"""The demo data set: Jakarta's 2,705 RWs (invented figures) and one account per role.

Everything here is marked as demo data. It is loaded by ``ksbb up`` only into an empty
database, and never in production (KSBB_DEMO=0).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import (
    membership_grant,
    organization_create,
    password_hash,
    user_create,
)
from ksbb.allocation.services import run_approve, run_start
from ksbb.allocation.tasks import run_execute
from ksbb.areas.models import Area
from ksbb.areas.services import rws_import
from ksbb.core.domain import SystemActor
from ksbb.distribution.selectors import allocations_to_deliver
from ksbb.distribution.services import (
    delivery_deliver,
    delivery_dispatch,
    delivery_schedule,
    handover_confirm,
    handover_create,
)
from ksbb.donations.models import Item, Pledge
from ksbb.donations.services import (
    aggregator_profile_create,
    aggregator_verify,
    collaborator_profile_create,
    pledge_receive,
    pledge_submit,
    purchase_record,
)
from ksbb.households.demo import seed_demo_households
from ksbb.needs.models import Recipient
from ksbb.needs.services import (
    institution_register,
    institution_verify,
    need_set,
    recipients_ensure_for_rws,
    round_open,
)
from ksbb.ops.demo_common import (
    _set_out_on,
    _sign_on_paper,
    demo_rw_rows,
)
from ksbb.ops.demo_regions import seed_demo_bandung
from ksbb.stats.rollups import rebuild

_ACTOR = SystemActor("demo")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str


def _password() -> str:
    return "demo-" + secrets.token_urlsafe(9)


_DEMO_USERNAMES = ("admin", "assessor", "aggregator", "executor", "kelurahan", "ketua_rw",
                   "collaborator")


def seed_demo(province: str = "31", *, second_region: bool = True) -> list[DemoAccount]:
    """Create the demo set; returns the accounts with their passwords. ``second_region``:
    Kota Bandung runs its own KSBB too (ksbb.ops.demo_regions), when the demo is Jakarta's."""
    # Hashed before the transaction, as everywhere: hashing is slow on purpose, and on
    # SQLite the transaction holds the one write lock.
    passwords = {name: _password() for name in _DEMO_USERNAMES}
    hashes = {name: password_hash(pw) for name, pw in passwords.items()}
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
            password = passwords.get(username) or _password()
            user = user_create(
                username=username,
                password=password,
                hashed_password=hashes.get(username),
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

            seed_demo_households(users=users, village=village, recipient=recipient)
            if second_region and province == "31":
                seed_demo_bandung(users=users, aggregator=aggregator, executor=executor,
                                  jakarta_donor=collaborator)
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


# The demo tells the story KSBB published in mid-July 2020 (see docs): Rp 15 bn collected,
# 90 % of it sembako; collaborators 51 % social organisations, 31 % businesses, 9 %
# individuals, 5 % communities, 4 % government; aid to Jakarta Selatan 32 %, Timur 21 %,
# Utara 16 %, Pusat 15 %, Barat 14 %, Kepulauan Seribu 2 %, 85 % of it to RWs and 15 % to
# institutions. The figures are invented to that shape, and marked as demo data.
DONOR_KINDS = [("social_org", 23), ("business", 14), ("individual", 4), ("community", 2),
               ("government", 2)]  # 45 collaborators, the demo's own PT included
SEMBAKO_GOODS = 43_000  # packages pledged as goods (Rp 12.9 bn)
SIAP_SAJI_GOODS = 24_000  # ready meals (Rp 0.6 bn)
MONEY = 1_500_000_000  # given by individuals; Rp 600 juta of it buys 2,000 packages
MONEY_SPENT, PACKAGES_BOUGHT = 600_000_000, 2_000
AID_BY_REGENCY = [("31.74", 32), ("31.75", 21), ("31.72", 16), ("31.71", 15), ("31.73", 14),
                  ("31.01", 2)]
DELIVERED_PACKAGES = 20_000  # sembako handed over with signed BASTs
RW_SHARE = 85
PACKAGES_PER_RW_BAST = 800
WEEKS = 16  # receipts and handovers spread over the last weeks, so the weekly charts read
_DONOR_NAMES = {
    "social_org": "Yayasan", "business": "PT", "individual": "Donatur perorangan",
    "community": "Komunitas", "government": "BUMD",
}
_INSTITUTIONS = [("orphanage", "Panti Asuhan"), ("pesantren", "Pondok Pesantren"),
                 ("elderly_home", "Panti Werdha"), ("disability_foundation", "Yayasan Disabilitas"),
                 ("orphanage", "Panti Asuhan"), ("pesantren", "Pondok Pesantren")]


def seed_demo_activity(
    *, users: dict[str, Any], aggregator: Organization, executor: Organization,
    collaborator: Organization, village: Area, recipient: Recipient,
) -> None:
    """The whole flow once, through the services and as the demo users: pledges received,
    a money pledge turned into packages, an assessment round for the demo village, an
    allocation run approved, deliveries scheduled, and one BAST signed by its three
    parties. A newcomer then sees every page with something on it."""


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
    pledge = pledge_receive(pledge=pledge, received_quantity=950, by=staff)

    rng = random.Random(2020)
    stories = _seed_donors(rng=rng, aggregator=aggregator, staff=staff, sembako=sembako,
                           first=pledge)
    # The assessor's round: one package per poor household in each RW of the demo village,
    # and the story's RWs and institutions in every city.
    assessor = users["assessor"]
    rnd = round_open(name="Pangan DKI Jakarta (demo)", program=sembako.program,
                     period_start=today.replace(day=1), period_end=today + dt.timedelta(days=30),
                     by=assessor)
    for rw_recipient in Recipient.objects.filter(area__parent=village).select_related("area"):
        poor = rw_recipient.area.poor_households or 0
        if poor:
            need_set(round=rnd, recipient=rw_recipient, item=sembako, quantity=poor,
                     priority=1 if rw_recipient.pk == recipient.pk else 2, by=assessor)
    story = _seed_needs(rng=rng, rnd=rnd, sembako=sembako, assessor=assessor,
                        skip_village=village)
    run = run_start(round=rnd, by=assessor)
    run = run_execute(run_id=run.pk)  # the worker finds it done and leaves it alone
    run_approve(run=run, by=assessor)

    # Deliveries for every recipient; the story's are handed over (signed on paper), and the
    # RW whose ketua RW is a demo account signs in the app with its three parties.
    waiting = list(allocations_to_deliver())
    for rw_recipient in sorted({a.recipient for a in waiting}, key=lambda r: r.pk):
        mine = [a for a in waiting if a.recipient_id == rw_recipient.pk]
        delivery = delivery_schedule(allocations=mine, executor=executor,
                                     scheduled_for=today, by=staff)
        if rw_recipient.pk in story:
            _sign_on_paper(delivery=delivery, date=story[rw_recipient.pk], users=users)
        if rw_recipient.pk != recipient.pk:
            continue
        delivery_dispatch(delivery=delivery, by=users["executor"])
        delivery_deliver(delivery=delivery, by=users["executor"])
        _set_out_on(delivery, today - dt.timedelta(days=2))
        handover = handover_create(
            delivery=delivery, date=today - dt.timedelta(days=2),
            lines={line.pk: line.quantity for line in delivery.lines.all()},
            address=f"Balai warga {rw_recipient.area.name}, {village.name}",
            by=users["executor"])
        for role, username in (("giver", "executor"), ("receiver", "ketua_rw"),
                               ("witness", "kelurahan")):
            handover = handover_confirm(handover=handover, role=role, by=users[username])

    _spread_receipts(rng=rng, pledges=stories)


def _seed_donors(*, rng: random.Random, aggregator: Organization, staff: Any, sembako: Any,
                 first: Any) -> list[int]:
    """The 44 other collaborators and their received pledges; returns every pledge id."""
    siap_saji = Item.objects.get(code="siap-saji")
    regencies = {r.code: r for r in Area.objects.filter(code__in=[c for c, _p in AID_BY_REGENCY])}
    donor = user_create(username="donor-demo", password=None, by=_ACTOR,
                        full_name="Donatur demo")
    pledges, money_pledges = [first.pk], []
    kinds = [kind for kind, n in DONOR_KINDS for _i in range(n)]
    kinds.remove("business")  # the demo's own PT Donatur Contoh is one of them
    goods_left = SEMBAKO_GOODS - (first.received_quantity or 0)
    meals = {n for n, k in enumerate(kinds) if k != "individual" and n % 9 == 4}
    weights = [0 if k == "individual" or n in meals else rng.randint(2, 9)
               for n, k in enumerate(kinds)]
    for n, kind in enumerate(kinds):
        regency = regencies[rng.choices([c for c, _p in AID_BY_REGENCY],
                                        weights=[p for _c, p in AID_BY_REGENCY])[0]]
        org = organization_create(kind=Organization.Kind.COLLABORATOR, by=_ACTOR,
                                  name=f"{_DONOR_NAMES[kind]} Contoh {n + 1} (demo)",
                                  area=regency, is_demo=True)
        collaborator_profile_create(organization=org, kind=kind,
                                    email=f"donor-{n + 1}@demo.invalid", by=_ACTOR)
        membership_grant(user=donor, role=Role.COLLABORATOR, organization=org, by=_ACTOR)
        donor = type(donor).objects.get(pk=donor.pk)  # its scope, with the new membership
        if kind == "individual":
            amount = MONEY // DONOR_KINDS[2][1]
            pledge = pledge_submit(collaborator=org, aggregator=aggregator,
                                   program=sembako.program, amount=amount, by=donor)
            pledge = pledge_receive(pledge=pledge, received_amount=amount, by=staff)
            money_pledges.append(pledge)
        else:
            if n in meals:
                item, quantity = siap_saji, SIAP_SAJI_GOODS // len(meals)
            else:
                item = sembako
                quantity = round(goods_left * weights[n] / sum(weights[n:]))
                goods_left -= quantity
            pledge = pledge_submit(collaborator=org, aggregator=aggregator, item=item,
                                   quantity=quantity, by=donor)
            pledge = pledge_receive(pledge=pledge, received_quantity=quantity, by=staff)
        pledges.append(pledge.pk)
    per_pledge = MONEY_SPENT // len(money_pledges)
    purchase_record(aggregator=aggregator, item=sembako, quantity=PACKAGES_BOUGHT,
                    cost_rupiah=MONEY_SPENT, supplier="Distributor Pangan Contoh",
                    funding=[(p, per_pledge) for p in money_pledges], by=staff)
    return pledges


def _seed_needs(*, rng: random.Random, rnd: Any, sembako: Any, assessor: Any,
                skip_village: Area) -> dict[int, Any]:
    """Needs in every regency: RWs and institutions that will get a signed BAST (in the
    published proportions), and others still waiting, so the map shows gaps. Returns the
    recipients to hand over to, with the BAST's date."""


    today = timezone.localdate()
    signed: dict[int, Any] = {}
    for index, (regency, percent) in enumerate(AID_BY_REGENCY):
        packages = DELIVERED_PACKAGES * percent // 100
        to_rws = packages * RW_SHARE // 100
        count = max(1, round(to_rws / PACKAGES_PER_RW_BAST))
        villages = list(Area.objects.filter(level=Area.Level.VILLAGE,
                                            code__startswith=f"{regency}.")
                        .exclude(pk=skip_village.pk).order_by("code"))
        rng.shuffle(villages)
        rws = list(Recipient.objects.filter(kind=Recipient.Kind.RW,
                                            area__parent__in=villages[:count + 3])
                   .order_by("area_id"))
        rng.shuffle(rws)
        # Waiting RWs: need assessed, nothing handed over yet (a share that differs by city).
        waiting = rws[count:count + 1 + index % 3]
        for n, rw in enumerate(rws[:count]):
            quantity = to_rws // count + (to_rws % count if n == 0 else 0)
            need_set(round=rnd, recipient=rw, item=sembako, quantity=quantity, priority=2,
                     by=assessor)
            signed[rw.pk] = today - dt.timedelta(days=rng.randint(3, 7 * (WEEKS - 6)))
        for rw in waiting:
            need_set(round=rnd, recipient=rw, item=sembako,
                     quantity=rng.randint(3, 9) * 100, priority=2, by=assessor)
        kind, name = _INSTITUTIONS[index]
        home = institution_register(
            kind=kind, name=f"{name} Contoh {index + 1} (demo)", area=villages[0],
            residents=rng.randint(40, 160), address="Jl. Contoh (demo)", contact_name="",
            contact_phone="", by=assessor)
        home = institution_verify(recipient=home, by=assessor)
        need_set(round=rnd, recipient=home, item=sembako, quantity=packages - to_rws,
                 priority=2, by=assessor)
        signed[home.pk] = today - dt.timedelta(days=rng.randint(3, 7 * (WEEKS - 6)))
    return signed


def _spread_receipts(*, rng: random.Random, pledges: list[int]) -> None:
    """Date the demo's receipts over the last weeks (the services date them now), then
    rebuild the statistics, which count by day of receipt."""


    now = timezone.now()
    for pk in pledges:
        when = now - dt.timedelta(days=rng.randint(7, 7 * WEEKS), hours=rng.randint(0, 8))
        Pledge.objects.filter(pk=pk).update(received_at=when, created_at=when - dt.timedelta(
            days=rng.randint(1, 5)))
    rebuild()
