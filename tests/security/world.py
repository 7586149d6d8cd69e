"""One object of each kind, owned by the shared cast's organisations, built through the
services as the application would; plus a few records of the outsider's organisation and
of another village, for the object-level probes.

Used by the permission matrix (every URL with parameters gets its object from here) and by
the object probes.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ksbb.allocation.models import Allocation, AllocationRun, ProposedLine
from ksbb.allocation.services import run_start
from ksbb.areas.models import Area
from ksbb.distribution.models import Delivery, Handover, HandoverPhoto
from ksbb.distribution.services import (
    delivery_deliver,
    delivery_dispatch,
    delivery_schedule,
    handover_photo_add,
)
from ksbb.donations.models import Pledge, Purchase
from ksbb.donations.services import pledge_receive, pledge_submit, purchase_record
from ksbb.forum.models import Idea
from ksbb.forum.services import idea_post
from ksbb.needs.models import AssessmentRound, Need, NeedsImport, Recipient
from ksbb.needs.services import institution_register, need_set, round_open
from ksbb.needs.tasks import needs_import_start
from ksbb.reports.models import MisuseReport, ReportPhoto
from ksbb.reports.services import report_submit
from tests.conftest import VILLAGE_A, VILLAGE_OTHER
from tests.distribution.conftest import draft_for, make_allocation, sign_all
from tests.donations.conftest import Donations, setup_donations


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@dataclass
class World:
    don: Donations
    pledge: Pledge  # goods, submitted to the cast's aggregator
    received: Pledge  # goods, received
    money: Pledge  # money, received, partly spent on the purchase
    purchase: Purchase
    round: AssessmentRound
    need: Need
    run: AllocationRun  # proposed, with lines
    line: ProposedLine
    allocation: Allocation
    delivery: Delivery  # scheduled
    draft: Handover  # a draft BAST of a delivered delivery
    signed: Handover  # a signed BAST
    report: MisuseReport  # in village A, with a photo
    photo: ReportPhoto
    idea: Idea
    institution: Recipient  # unverified
    needs_import: NeedsImport
    # Records of another organisation / another village (object probes).
    other_pledge: Pledge  # goods, to the outsider's aggregator
    other_money: Pledge
    other_purchase: Purchase
    other_allocation: Allocation
    other_delivery: Delivery  # outsider's supplies, to the other village's RW
    other_handover: Handover
    other_report: MisuseReport  # in another village
    handover_photo: HandoverPhoto | None = None  # a photo of the draft BAST


def build_world(cast: Any, capture: Any) -> World:
    """``capture`` is pytest-django's django_capture_on_commit_callbacks (the allocation
    run's background task runs when its transaction commits)."""
    don = setup_donations(cast)
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           item=don.sembako, quantity=50, by=cast.collaborator)
    received = pledge_submit(collaborator=cast.collaborator_org,
                             aggregator=cast.aggregator_org, item=don.sembako, quantity=100,
                             by=cast.collaborator)
    received = pledge_receive(pledge=received, received_quantity=100, by=cast.aggregator)
    money = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                          program=don.pangan, amount=1_000_000, by=cast.collaborator)
    money = pledge_receive(pledge=money, received_amount=1_000_000, by=cast.aggregator)
    purchase = purchase_record(aggregator=cast.aggregator_org, item=don.sembako, quantity=5,
                               cost_rupiah=500_000, supplier="Toko Beras", by=cast.aggregator,
                               funding=[(money, 500_000)])

    rnd = round_open(name="Pangan matrix", program=don.pangan,
                     period_start=dt.date(2020, 6, 1), period_end=dt.date(2020, 6, 30),
                     by=cast.assessor)
    need = need_set(round=rnd, recipient=cast.recipient, item=don.sembako, quantity=30, priority=1,
             by=cast.assessor)
    with capture(execute=True):
        run = run_start(round=rnd, by=cast.assessor)
    run.refresh_from_db()
    assert run.state == AllocationRun.State.PROPOSED, run.error
    line = run.lines.order_by("pk").first()
    assert line is not None

    allocation = make_allocation(cast, don)
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.aggregator)

    def delivered(allocation: Allocation) -> Delivery:
        d = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                              scheduled_for=timezone.localdate(), by=cast.aggregator)
        delivery_dispatch(delivery=d, by=cast.executor)
        return delivery_deliver(delivery=d, by=cast.executor)

    draft = draft_for(delivered(make_allocation(cast, don)), cast.executor)
    signed = sign_all(cast, draft_for(delivered(make_allocation(cast, don)), cast.executor))

    report = report_submit(category="aid_sold", area=Area.objects.get(code=f"{VILLAGE_A}.001"),
                           description="Paket sembako dijual di pasar", by=None,
                           photos=[png()], reporter_name="Siti",
                           reporter_email="siti@example.com")
    photo = report.photos.get()
    idea = idea_post(title="Kebun di RPTRA", body="Kebun sayur di setiap RPTRA.",
                     by=cast.collaborator)
    institution = institution_register(
        kind=Recipient.Kind.ORPHANAGE, name="Panti Asuhan Harapan",
        area=Area.objects.get(code=VILLAGE_A), residents=40, address="Jl. Merdeka 1",
        contact_name="Ibu Sari", contact_phone="0812000", by=cast.assessor)
    upload = SimpleUploadedFile("needs.csv", f"recipient,item,quantity,priority\n"
                                f"{VILLAGE_A}.001,sembako,9,1\n".encode(),
                                content_type="text/csv")
    needs_import = needs_import_start(round=rnd, file=upload, by=cast.assessor)

    # The outsider's organisation: its own pledges, purchase and delivery, elsewhere.
    other_pledge = pledge_submit(collaborator=cast.collaborator_org,
                                 aggregator=cast.outsider_org, item=don.sembako, quantity=70,
                                 by=cast.collaborator)
    other_goods = pledge_receive(
        pledge=pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.outsider_org,
                             item=don.sembako, quantity=60, by=cast.collaborator),
        received_quantity=60, by=cast.outsider)
    other_money = pledge_receive(
        pledge=pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.outsider_org,
                             program=don.pangan, amount=400_000, by=cast.collaborator),
        received_amount=400_000, by=cast.outsider)
    other_purchase = purchase_record(aggregator=cast.outsider_org, item=don.sembako,
                                     quantity=3, cost_rupiah=300_000, supplier="Toko Lain",
                                     by=cast.outsider, funding=[(other_money, 300_000)])
    other_allocation = make_allocation(cast, don, recipient=cast.other_recipient,
                                       pledge=other_goods, quantity=20)
    other_delivery = delivery_schedule(allocations=[other_allocation],
                                       executor=cast.executor_org,
                                       scheduled_for=timezone.localdate(), by=cast.outsider)
    delivery_dispatch(delivery=other_delivery, by=cast.executor)
    other_delivery = delivery_deliver(delivery=other_delivery, by=cast.executor)
    other_handover = draft_for(other_delivery, cast.executor)
    other_report = report_submit(category="not_received",
                                 area=Area.objects.get(code=f"{VILLAGE_OTHER}.001"),
                                 description="Tidak ada bantuan", by=None)
    handover_photo = handover_photo_add(handover=draft, upload=png(), by=cast.executor)
    return World(don, pledge, received, money, purchase, rnd, need, run, line, allocation, delivery,
                 draft, signed, report, photo, idea, institution, needs_import, other_pledge,
                 other_money, other_purchase, other_allocation, other_delivery,
                 other_handover, other_report, handover_photo)
