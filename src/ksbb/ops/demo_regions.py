"""The demo's second region (issue 18): Kota Bandung (32.73) runs its own KSBB next to
Jakarta, so that a region's page (``/r/kota-bandung/``) and the national page
(``/nasional/``) have something to show.

Small on purpose (a few hundred packages): Jakarta's story (``ksbb.ops.demo``) keeps its
published proportions. Everything goes through the services, as the demo's users: Bandung's
own assessor opens Bandung's round, runs and approves the allocation, and accepts the paper
BASTs; donors in Bandung and one in Jakarta give to Bandung's villages.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import membership_grant, organization_create, user_create
from ksbb.allocation.services import run_approve, run_start
from ksbb.allocation.tasks import run_execute
from ksbb.areas.models import Area
from ksbb.areas.services import rws_import
from ksbb.core.domain import SystemActor
from ksbb.distribution.selectors import allocations_to_deliver
from ksbb.distribution.services import delivery_schedule
from ksbb.donations.models import Item
from ksbb.donations.services import (
    collaborator_profile_create,
    pledge_receive,
    pledge_submit,
)
from ksbb.needs.models import AssessmentRound, Recipient
from ksbb.needs.services import need_set, recipients_ensure_for_rws, round_open
from ksbb.ops.demo_common import _sign_on_paper, demo_rw_rows
from ksbb.regions.models import Region
from ksbb.regions.services import (
    region_add,
    region_government,
    region_link_organization,
)

_ACTOR = SystemActor("demo")
BANDUNG = "32.73"
BANDUNG_RW_COUNT = 1_597  # RWs of Kota Bandung (invented figures, spread like Jakarta's)
BANDUNG_DONORS = [("social_org", 180), ("business", 120), ("community", 60)]  # packages
FROM_JAKARTA = 90  # packages a Jakarta donor gives to Bandung
NEED_RWS = 6


def seed_demo_bandung(*, users: dict[str, Any], aggregator: Organization,
                      executor: Organization, jakarta_donor: Organization) -> Region:
    """Kota Bandung as a second region, with its assessor, donors, round, allocation and
    signed BASTs. Returns the region."""
    region = region_add(code=BANDUNG, name="KSBB Kota Bandung", by=_ACTOR)
    rws_import(rows=demo_rw_rows(BANDUNG, BANDUNG_RW_COUNT), by=_ACTOR, is_demo=True)
    recipients_ensure_for_rws(by=_ACTOR)
    region_link_organization(region=region, organization=aggregator, by=_ACTOR)
    government = region_government(region)
    assert government is not None
    Organization.objects.filter(pk=government.pk).update(is_demo=True)
    assessor = user_create(username="assessor-bandung", password=None, by=_ACTOR,
                           full_name="Demo Asesor Kota Bandung")
    membership_grant(user=assessor, role=Role.ASSESSOR, organization=government, by=_ACTOR)

    rng = random.Random(3273)
    sembako = Item.objects.get(code="sembako")
    village = Area.objects.filter(level=Area.Level.VILLAGE,
                                  code__startswith=f"{BANDUNG}.").order_by("code").first()
    assert village is not None
    staff = users["aggregator"]
    donor_user = user_create(username="donor-bandung-demo", password=None, by=_ACTOR,
                             full_name="Donatur Bandung demo")
    givers: list[tuple[Organization, int]] = [(jakarta_donor, FROM_JAKARTA)]
    for n, (kind, packages) in enumerate(BANDUNG_DONORS):
        org = organization_create(kind=Organization.Kind.COLLABORATOR, by=_ACTOR,
                                  name=f"Donatur Bandung Contoh {n + 1} (demo)",
                                  area=Area.objects.get(code=BANDUNG), is_demo=True)
        collaborator_profile_create(organization=org, kind=kind,
                                    email=f"bandung-{n + 1}@demo.invalid", by=_ACTOR)
        givers.append((org, packages))
    for org, packages in givers:
        who = users["collaborator"]  # the Jakarta donor's own account
        if org != jakarta_donor:
            membership_grant(user=donor_user, role=Role.COLLABORATOR, organization=org,
                             by=_ACTOR)
            who = type(donor_user).objects.get(pk=donor_user.pk)  # with the new membership
        pledge = pledge_submit(collaborator=org, aggregator=aggregator, item=sembako,
                               quantity=packages, preferred_area=village, by=who)
        pledge_receive(pledge=pledge, received_quantity=packages, by=staff)

    today = timezone.localdate()
    rnd = round_open(name="Pangan Kota Bandung (demo)", program=sembako.program,
                     period_start=today.replace(day=1), period_end=today + dt.timedelta(days=30),
                     by=assessor)
    AssessmentRound.objects.filter(pk=rnd.pk).update(region=region)
    rnd.refresh_from_db()
    rws = list(Recipient.objects.filter(kind=Recipient.Kind.RW, area__parent=village)
               .order_by("area_id")[:NEED_RWS])
    for rw in rws:
        need_set(round=rnd, recipient=rw, item=sembako, quantity=rng.randint(40, 90),
                 priority=2, by=assessor)
    run = run_start(round=rnd, by=assessor)
    run = run_execute(run_id=run.pk)
    run_approve(run=run, by=assessor)
    bandung_users = {**users, "assessor": assessor}
    waiting = [a for a in allocations_to_deliver() if a.recipient_id in {r.pk for r in rws}]
    for n, rw in enumerate(rws):
        mine = [a for a in waiting if a.recipient_id == rw.pk]
        if not mine:
            continue
        delivery = delivery_schedule(allocations=mine, executor=executor,
                                     scheduled_for=today, by=staff)
        if n < NEED_RWS - 1:  # one stays scheduled: the map shows a gap
            _sign_on_paper(delivery=delivery, date=today - dt.timedelta(days=n + 1),
                           users=bandung_users)
    return region


__all__ = ["BANDUNG", "seed_demo_bandung"]
