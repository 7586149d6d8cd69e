"""Kota Bandung's records, built through the services by Bandung's own people, beside the
Jakarta world of tests/security/world.py: a round and its need, an allocation run with a
line, an allocation, a delivery, a draft BAST, a misuse report, an idea, an unverified
institution, and pledges given to Bandung through an aggregator serving only Bandung."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ksbb.accounts.models import Organization, Role, User
from ksbb.accounts.services import membership_grant, organization_create, user_create
from ksbb.allocation.models import Allocation, AllocationRun, ProposedLine
from ksbb.allocation.services import run_start
from ksbb.areas.models import Area
from ksbb.distribution.models import Delivery, Handover
from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
from ksbb.donations.models import Pledge, Purchase
from ksbb.donations.services import (
    aggregator_profile_create,
    aggregator_verify,
    pledge_receive,
    pledge_submit,
    purchase_record,
)
from ksbb.forum.models import Idea
from ksbb.forum.services import idea_post
from ksbb.needs.models import AssessmentRound, Need, Recipient
from ksbb.needs.services import institution_register, need_set, round_open
from ksbb.regions.selectors import default_region
from ksbb.regions.services import region_link_organization, region_unlink_organization
from ksbb.reports.models import MisuseReport
from ksbb.reports.services import report_submit
from tests.conftest import PASSWORD, SETUP, VILLAGE_BANDUNG, Cast, RegionCast
from tests.distribution.conftest import draft_for
from tests.donations.conftest import Donations


@dataclass
class RegionWorld:
    aggregator_org: Organization  # serves Bandung only
    aggregator: User
    pledge: Pledge  # goods, submitted, given to Bandung
    received: Pledge  # goods, received
    money: Pledge
    purchase: Purchase
    round: AssessmentRound
    need: Need
    run: AllocationRun
    line: ProposedLine
    allocation: Allocation
    delivery: Delivery
    draft: Handover
    report: MisuseReport
    idea: Idea
    institution: Recipient


def build_region_world(cast: Cast, bandung: RegionCast, don: Donations,
                       capture: Any) -> RegionWorld:
    org = organization_create(kind=Organization.Kind.AGGREGATOR, name="Rumah Zakat Bandung",
                              by=SETUP)
    region_link_organization(region=bandung.region, organization=org, by=SETUP)
    # Declaring a region keeps the default one an aggregator served; this one stops.
    region_unlink_organization(region=default_region(), organization=org, by=SETUP)
    assert list(org.regions.all()) == [bandung.region]
    aggregator_profile_create(organization=org, licence_number="KEMENSOS-BDG",
                              licence_valid_until=timezone.localdate() + dt.timedelta(days=365),
                              by=SETUP)
    aggregator_verify(aggregator=org, by=cast.admin)
    staff = user_create(username="bandung_aggregator", password=PASSWORD, by=SETUP)
    membership_grant(user=staff, role=Role.AGGREGATOR_STAFF, organization=org, by=SETUP)

    # The shared cast's collaborator (a Jakarta firm) gives to Bandung too.
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=org,
                           item=don.sembako, quantity=50, region=bandung.region,
                           by=cast.collaborator)
    received = pledge_receive(pledge=pledge_submit(
        collaborator=cast.collaborator_org, aggregator=org, item=don.sembako, quantity=100,
        preferred_area=Area.objects.get(code=VILLAGE_BANDUNG), by=cast.collaborator),
        received_quantity=100, by=staff)
    money = pledge_receive(pledge=pledge_submit(
        collaborator=cast.collaborator_org, aggregator=org, program=don.pangan,
        amount=1_000_000, region=bandung.region, by=cast.collaborator),
        received_amount=1_000_000, by=staff)
    purchase = purchase_record(aggregator=org, item=don.sembako, quantity=5,
                               cost_rupiah=500_000, supplier="Toko Bandung", by=staff,
                               funding=[(money, 500_000)])

    rnd = round_open(name="Pangan Bandung", program=don.pangan,
                     period_start=dt.date(2020, 6, 1), period_end=dt.date(2020, 6, 30),
                     by=bandung.assessor)
    need = need_set(round=rnd, recipient=bandung.recipient, item=don.sembako, quantity=30,
                    priority=1, by=bandung.assessor)
    with capture(execute=True):
        run = run_start(round=rnd, by=bandung.assessor)
    run.refresh_from_db()
    assert run.state == AllocationRun.State.PROPOSED, run.error
    line = run.lines.order_by("pk").first()
    assert line is not None

    allocation = Allocation.objects.create(pledge=received, need=need,
                                           recipient=bandung.recipient, item=don.sembako,
                                           quantity=20, created_by=bandung.assessor)
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=bandung.assessor)
    other = Allocation.objects.create(pledge=received, need=need, recipient=bandung.recipient,
                                      item=don.sembako, quantity=10,
                                      created_by=bandung.assessor)
    shipped = delivery_schedule(allocations=[other], executor=cast.executor_org,
                                scheduled_for=timezone.localdate(), by=staff)
    delivery_dispatch(delivery=shipped, by=cast.executor)
    draft = draft_for(delivery_deliver(delivery=shipped, by=cast.executor), cast.executor)

    report = report_submit(category="aid_sold",
                           area=Area.objects.get(code=f"{VILLAGE_BANDUNG}.001"),
                           description="Paket dijual di pasar Bandung", by=None)
    idea = idea_post(title="Lumbung pangan RW", body="Lumbung pangan di setiap RW.",
                     by=cast.collaborator, region=bandung.region)
    institution = institution_register(
        kind=Recipient.Kind.ORPHANAGE, name="Panti Asuhan Sukarasa",
        area=Area.objects.get(code=VILLAGE_BANDUNG), residents=30, address="Jl. Sukarasa 2",
        contact_name="Ibu Ani", contact_phone="0813000", by=bandung.assessor)
    return RegionWorld(org, staff, pledge, received, money, purchase, rnd, need, run, line,
                       allocation, delivery, draft, report, idea, institution)
