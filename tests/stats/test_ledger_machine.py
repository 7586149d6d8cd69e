"""Every public figure, on every surface, equals a reference computed independently from the
records, after any sequence of the real services (issue 13).

A Hypothesis state machine pledges (goods and money, for a recipient, an area or nobody,
from a donor with a confirmed e-mail address and from one without), receives, cancels,
buys goods with money, allocates by hand, delivers, signs, corrects, cancels and fails
deliveries, and lets time pass. After every step the need list, the coverage page and its
API, the dashboard (rollups) and its API, and the open data are compared with figures worked
out here in plain Python from the rows, without the ledger's queries.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from rest_framework.test import APIClient

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import membership_grant, organization_create, user_create
from ksbb.allocation.models import Allocation
from ksbb.allocation.services import allocation_create_manual
from ksbb.areas.models import Area
from ksbb.core.domain import SystemActor
from ksbb.distribution.models import Handover
from ksbb.distribution.services import (
    delivery_cancel,
    delivery_deliver,
    delivery_dispatch,
    delivery_fail,
    delivery_schedule,
    handover_create,
    handover_paper_accept,
    handover_paper_upload,
)
from ksbb.donations.models import CollaboratorProfile, Item, Pledge, Purchase, PurchaseFunding
from ksbb.donations.services import (
    collaborator_profile_create,
    pledge_cancel,
    pledge_money_remaining,
    pledge_receive,
    pledge_submit,
    pledges_expire,
    purchase_record,
)
from ksbb.needs.models import AssessmentRound, Need, Recipient
from ksbb.needs.services import need_set, round_close, round_open
from ksbb.stats import rollups
from ksbb.stats.coverage import coverage
from ksbb.stats.needmap import need_map, need_map_recipients
from ksbb.stats.opendata import dataset_rows
from ksbb.stats.selectors import MONEY_UNSPENT, dashboard
from tests.conftest import PASSWORD, SETUP, VILLAGE_A, VILLAGE_B, VILLAGE_OTHER
from tests.donations.conftest import setup_donations
from tests.uploads import pdf

pytestmark = pytest.mark.django_db

PDF = pdf()  # a real one: paper BASTs are checked by content
RWS = [f"{VILLAGE_A}.001", f"{VILLAGE_A}.002", f"{VILLAGE_B}.001", f"{VILLAGE_OTHER}.001"]
PLACES = [None, ("recipient", 0), ("recipient", 1), ("recipient", 3), ("area", VILLAGE_A),
          ("area", "31.71.01"), ("area", "31.75")]
RECEIVED_STATES = {"received", "allocated", "distributed", "completed"}


class _Rollback(Exception):
    pass


@contextmanager
def _example(cast: Any) -> Any:
    """One example's writes are rolled back at its end, and the statistics generation with
    them: no page cached under a generation number may outlive its example."""
    from ksbb.stats.pagecache import clear_local, forget_generation

    cache.clear()
    clear_local()
    forget_generation()
    for user in vars(cast).values():  # permissions cached from the previous example
        if hasattr(user, "_ksbb_scope"):
            del user._ksbb_scope
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def _world(cast: Any) -> dict[str, Any]:
    don = setup_donations(cast)
    CollaboratorProfile.objects.filter(organization=cast.collaborator_org).update(
        email_verified_at=timezone.now())
    budi_user = user_create(username="budi", password=PASSWORD, by=SETUP, full_name="Budi")
    budi = organization_create(kind=Organization.Kind.COLLABORATOR, name="Budi", by=SETUP)
    collaborator_profile_create(organization=budi, kind="individual", email="b@example.org",
                                by=SETUP)  # never confirmed
    membership_grant(user=budi_user, role=Role.COLLABORATOR, organization=budi, by=SETUP)
    recipients = [Recipient.objects.get(area_id=code) for code in RWS]
    old = round_open(name="April", program=don.pangan, period_start=dt.date(2020, 4, 1),
                     period_end=dt.date(2020, 4, 30), by=cast.assessor)
    need_set(round=old, recipient=recipients[0], item=don.sembako, quantity=999, priority=1,
             by=cast.assessor)
    round_close(round=old, by=cast.assessor)
    rnd = round_open(name="Mei", program=don.pangan, period_start=dt.date(2020, 5, 1),
                     period_end=dt.date(2020, 5, 31), by=cast.assessor)
    needs = [need_set(round=rnd, recipient=r, item=don.sembako, quantity=q, priority=1,
                      by=cast.assessor) for r, q in zip(recipients, (60, 40, 30, 50),
                                                        strict=True)]
    needs.append(need_set(round=rnd, recipient=recipients[0], item=don.ready_meal,
                          quantity=20, priority=2, by=cast.assessor))
    return {"don": don, "donors": [(cast.collaborator_org, cast.collaborator),
                                   (budi, budi_user)],
            "recipients": recipients, "needs": needs,
            "items": [don.sembako, don.ready_meal]}


# The reference: plain Python over the rows -------------------------------------------------

def _in_force() -> list[Handover]:
    signed = list(Handover.objects.filter(state=Handover.State.SIGNED).select_related(
        "delivery__recipient"))
    replaced = {h.supersedes_id for h in signed if h.supersedes_id}
    return [h for h in signed if h.pk not in replaced]


def _current_needs() -> list[Need]:
    best: dict[int, tuple[Any, ...]] = {}
    for n in Need.objects.select_related("round"):
        key = (n.round.state == AssessmentRound.State.OPEN, n.round.period_start, n.round_id)
        best[n.item_id] = max(best.get(n.item_id, key), key)
    return [n for n in Need.objects.select_related("recipient")
            if best[n.item_id][2] == n.round_id]


def reference_places(now: dt.datetime) -> dict[tuple[str, int | None, int], list[int]]:
    """(area, recipient or None, item) -> [need, promised, received, allocated, delivered]."""
    acc: dict[tuple[str, int | None, int], list[int]] = defaultdict(lambda: [0] * 5)
    for n in _current_needs():
        acc[(n.recipient.area_id, n.recipient_id, n.item_id)][0] += n.quantity
    used: dict[int, int] = defaultdict(int)
    for a in Allocation.objects.select_related("recipient"):
        if a.state == Allocation.State.ACTIVE:
            acc[(a.recipient.area_id, a.recipient_id, a.item_id)][3] += (
                a.quantity - a.returned_quantity)
            if a.pledge_id:
                used[a.pledge_id] += a.quantity - a.returned_quantity
    for h in _in_force():
        for line in h.lines.all():
            recipient = h.delivery.recipient
            acc[(recipient.area_id, recipient.pk, line.item_id)][4] += line.quantity
    cutoff = now - dt.timedelta(days=14)
    for p in Pledge.objects.select_related("recipient", "collaborator__collaborator_profile"):
        if p.kind != "goods" or (p.recipient is None and p.preferred_area_id is None):
            continue
        place = (p.recipient.area_id if p.recipient else p.preferred_area_id, p.recipient_id,
                 p.item_id)
        if p.state in RECEIVED_STATES:
            left = p.received_quantity - used[p.pk]
            if left > 0:
                acc[place][2] += left
        elif p.state == "submitted" and p.created_at >= cutoff and (
                p.collaborator.collaborator_profile.email_verified_at is not None):
            acc[place][1] += p.quantity
    return {k: v for k, v in acc.items() if any(v)}


def _cut(code: str, level: int) -> str | None:
    parts = code.split(".")
    return ".".join(parts[:level]) if len(parts) >= level else None


def reference_areas(places: dict[Any, list[int]], *, item: int | None, within: str | None,
                    level: int) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for (area, _r, item_id), v in places.items():
        if item is not None and item_id != item:
            continue
        if within and area != within and not area.startswith(within + "."):
            continue
        key = _cut(area, level)
        if key:
            rows[key] = [a + b for a, b in zip(rows[key], v, strict=True)]
    return dict(rows)


def reference_collected() -> dict[str, Any]:
    received = [p for p in Pledge.objects.select_related("item") if p.state in RECEIVED_STATES]
    by_item: dict[str, int] = defaultdict(int)
    for p in received:
        if p.kind == "goods":
            by_item[str(p.item_id)] += p.received_quantity * p.item.value_rupiah
        else:
            by_item[MONEY_UNSPENT] += p.received_amount
    for f in PurchaseFunding.objects.select_related("purchase", "pledge"):
        if f.pledge.state in RECEIVED_STATES:
            by_item[str(f.purchase.item_id)] += f.amount_rupiah
            by_item[MONEY_UNSPENT] -= f.amount_rupiah
    return {"total": sum(by_item.values()), "pledges": len(received),
            "collaborators": len({p.collaborator_id for p in received}),
            "by_item": {k: v for k, v in by_item.items() if v}}


def reference_delivered() -> dict[str, Any]:
    handovers = _in_force()
    per_village: dict[tuple[str, str], int] = defaultdict(int)
    packages = 0
    for h in handovers:
        for line in h.lines.select_related("item"):
            per_village[(_cut(h.delivery.recipient.area_id, 4) or "", line.item.code)] += (
                line.quantity)
            packages += line.quantity if line.item.unit == Item.Unit.PAKET else 0
    return {"deliveries": len({h.delivery_id for h in handovers}),
            "recipients": len({h.delivery.recipient_id for h in handovers}),
            "packages": packages, "per_village": {k: v for k, v in per_village.items() if v}}


# The machine -------------------------------------------------------------------------------

def _deliverable() -> Any:
    from ksbb.distribution.selectors import allocations_to_deliver

    return allocations_to_deliver()


def _quietly(fn: Any, **kwargs: Any) -> Any:
    """Call a service; a refusal (any ValidationError) changes nothing and is fine here."""
    try:
        with transaction.atomic():
            return fn(**kwargs)
    except ValidationError:
        return None


class LedgerMachine(RuleBasedStateMachine):
    cast: Any
    world: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.pledges: list[int] = []
        self.now = timezone.now()

    def _pick(self, model: Any, index: int, **where: Any) -> Any:
        rows = list(model.objects.filter(**where).order_by("pk"))
        return rows[index % len(rows)] if rows else None

    # Donations.

    @initialize(goods=st.integers(10, 80), money=st.integers(1, 50))
    def some_aid_arrived(self, goods: int, money: int) -> None:
        """Every example starts with received goods for nobody in particular, and money."""
        self.pledge(donor=0, goods=True, item=0, quantity=goods, place=0, quarters=4)
        self.pledge(donor=0, goods=False, item=0, quantity=money, place=0, quarters=4)

    @rule(donor=st.integers(0, 1), goods=st.booleans(), item=st.integers(0, 1),
          quantity=st.integers(1, 80), place=st.integers(0, len(PLACES) - 1),
          quarters=st.integers(0, 4))
    def pledge(self, donor: int, goods: bool, item: int, quantity: int, place: int,
               quarters: int) -> None:
        """A pledge; received at once (``quarters`` of it) unless ``quarters`` is 0."""
        org, user = self.world["donors"][donor]
        target = PLACES[place]
        where: dict[str, Any] = {}
        if target and target[0] == "recipient":
            where["recipient"] = self.world["recipients"][target[1]]
        elif target:
            where["preferred_area"] = Area.objects.get(code=target[1])
        if goods:
            what = {"item": self.world["items"][item], "quantity": quantity}
        else:
            what = {"program": self.world["don"].pangan, "amount": quantity * 100_000}
            where.pop("recipient", None)
        pledge = _quietly(pledge_submit, collaborator=org, aggregator=self.cast.aggregator_org,
                          by=user, **what, **where)
        if pledge is not None and quarters:
            self._receive(pledge, quarters)

    def _receive(self, pledge: Pledge, quarters: int) -> None:
        if pledge.kind == "goods":
            _quietly(pledge_receive, pledge=pledge, by=self.cast.aggregator,
                     received_quantity=max(1, pledge.quantity * quarters // 4))
        else:
            _quietly(pledge_receive, pledge=pledge, by=self.cast.aggregator,
                     received_amount=max(1, pledge.amount_rupiah * quarters // 4))

    @precondition(lambda self: Pledge.objects.filter(state="submitted").exists())
    @rule(which=st.integers(0, 50), quarters=st.integers(1, 4))
    def receive(self, which: int, quarters: int) -> None:
        self._receive(self._pick(Pledge, which, state="submitted"), quarters)

    @precondition(lambda self: Pledge.objects.filter(state="submitted").exists())
    @rule(which=st.integers(0, 50))
    def cancel(self, which: int) -> None:
        pledge = self._pick(Pledge, which, state="submitted")
        if pledge is not None:
            user = dict((o.pk, u) for o, u in self.world["donors"])[pledge.collaborator_id]
            _quietly(pledge_cancel, pledge=pledge, reason="changed my mind", by=user)

    @rule(days=st.sampled_from([1, 10, 20]), sweep=st.booleans())
    def time_passes(self, days: int, sweep: bool) -> None:
        """The clock moves on: promises age (and expire after 14 days)."""
        for p in Pledge.objects.filter(state="submitted"):
            Pledge.objects.filter(pk=p.pk).update(
                created_at=p.created_at - dt.timedelta(days=days))
        # Cached public pages live on until the figures change (or their safety time ends):
        # in this compressed time, make them go.
        rollups.bump()
        if sweep:
            pledges_expire(by=SystemActor("expiry"))

    @precondition(lambda self: Pledge.objects.filter(kind="money",
                                                     state__in=RECEIVED_STATES).exists())
    @rule(which=st.integers(0, 50), item=st.integers(0, 1), quantity=st.integers(1, 30),
          quarters=st.integers(1, 4), extra=st.sampled_from([0, 50_000]))
    def purchase(self, which: int, item: int, quantity: int, quarters: int, extra: int) -> None:
        pledge = self._pick(Pledge, which, kind="money", state__in=RECEIVED_STATES)
        if pledge is None:
            return
        left = pledge_money_remaining(pledge)
        if left <= 0:
            return
        amount = max(1, left * quarters // 4)
        _quietly(purchase_record, aggregator=self.cast.aggregator_org,
                 item=self.world["items"][item], quantity=quantity, cost_rupiah=amount + extra,
                 supplier="Toko", funding=[(pledge, amount)], by=self.cast.aggregator)

    # Allocation and distribution.

    @rule(from_purchase=st.booleans(), which=st.integers(0, 50), need=st.integers(0, 4),
          quantity=st.integers(1, 40))
    def allocate(self, from_purchase: bool, which: int, need: int, quantity: int) -> None:
        """By hand, at most what is left of the supply and of the need (the service refuses
        more; a refusal is fine, but rarely useful)."""
        from ksbb.allocation.selectors import need_remaining, supply_remaining

        supply = (self._pick(Purchase, which) if from_purchase
                  else self._pick(Pledge, which, kind="goods", state__in=RECEIVED_STATES))
        if supply is None:
            return
        chosen = self.world["needs"][need]
        if chosen.item_id != supply.item_id:
            chosen = next(n for n in self.world["needs"] if n.item_id == supply.item_id)
        quantity = min(quantity, supply_remaining(supply), need_remaining(chosen))
        if quantity > 0:
            _quietly(allocation_create_manual, supply=supply, need=chosen, quantity=quantity,
                     by=self.cast.assessor)

    @precondition(lambda self: _deliverable().exists())
    @rule(which=st.integers(0, 50),
          fate=st.sampled_from(["full", "short", "draft", "cancel", "fail"]))
    def deliver(self, which: int, fate: str) -> None:
        rows = list(_deliverable().order_by("pk"))
        allocation = rows[which % len(rows)]
        cast = self.cast
        delivery = _quietly(delivery_schedule, allocations=[allocation],
                            executor=cast.executor_org, scheduled_for=timezone.localdate(),
                            by=cast.assessor)
        if delivery is None:
            return
        if fate == "cancel":
            delivery_cancel(delivery=delivery, reason="rain", by=cast.assessor)
            return
        delivery_dispatch(delivery=delivery, by=cast.executor)
        if fate == "fail":
            delivery_fail(delivery=delivery, reason="road closed", by=cast.executor)
            return
        delivery_deliver(delivery=delivery, by=cast.executor)
        line = delivery.lines.get()
        handed = line.quantity if fate != "short" else max(1, line.quantity // 2)
        handover = handover_create(delivery=delivery, date=timezone.localdate(),
                                   lines={line.pk: handed}, address="Balai RW",
                                   by=cast.executor)
        if fate != "draft":
            self._sign(handover)

    def _sign(self, handover: Handover) -> None:
        handover = handover_paper_upload(handover=handover, by=self.cast.executor,
                                         upload=SimpleUploadedFile("scan.pdf", PDF),
                                         receiver_name="Ketua", witness_name="Lurah")
        handover_paper_accept(handover=handover, by=self.cast.assessor)

    @precondition(lambda self: Handover.objects.filter(state="signed").exists())
    @rule(which=st.integers(0, 50), keep=st.integers(1, 3))
    def correct(self, which: int, keep: int) -> None:
        """A signed BAST in force is corrected: fewer units were handed over."""
        signed = [h for h in _in_force() if not Handover.objects.filter(supersedes=h).exists()]
        if not signed:
            return
        old = signed[which % len(signed)]
        lines = {hl.delivery_line_id: hl.quantity * keep // 4 for hl in old.lines.all()}
        if not any(lines.values()):
            return
        handover = handover_create(delivery=old.delivery, date=timezone.localdate(),
                                   lines=lines, supersedes=old, correction_reason="recount",
                                   address="Balai RW", by=self.cast.executor)
        self._sign(handover)

    # Every surface against the reference.

    @invariant()
    def every_surface_equals_the_reference(self) -> None:
        sembako = self.world["don"].sembako
        places = reference_places(timezone.now())

        def figures(row: Any) -> list[int]:
            return [row.need, row.promised, row.received, row.allocated, row.delivered]

        # The donor's need list: regencies, villages of a district, recipients of a village.
        for within, level in ((None, 2), ("31.71.01", 4)):
            got = {r.code: figures(r) for r in need_map(item_code="sembako", within=within)}
            assert got == reference_areas(places, item=sembako.pk, within=within,
                                          level=level), within
        got = {r.code: figures(r) for r in need_map_recipients(item_code="sembako",
                                                               village=VILLAGE_A)}
        assert got == {area: v for (area, r, i), v in places.items()
                       if i == sembako.pk and r is not None and area.startswith(VILLAGE_A)}

        # The coverage page (all items) and its API.
        for area, level in ((None, 2), (VILLAGE_A, 5)):
            page = coverage(Area.objects.get(code=area) if area else None)
            expected = reference_areas(places, item=None, within=area, level=level)
            got_rows = {r.code: (r.need, r.covered, r.delivered, r.promised) for r in page.rows}
            assert got_rows == {c: (v[0], v[2] + v[3], v[4], v[1]) for c, v in expected.items()
                                if v[0] or v[2] + v[3]}, area
            inside = [v for (a, _r, _i), v in places.items()
                      if area is None or a == area or a.startswith(area + ".")]
            assert (page.need, page.covered, page.delivered) == (
                sum(v[0] for v in inside), sum(v[2] + v[3] for v in inside),
                sum(v[4] for v in inside))
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        body = api.get("/api/v1/stats/coverage/", {"area": "31.71.01"}).json()
        assert body == json.loads(json.dumps(
            coverage(Area.objects.get(code="31.71.01")).as_dict()))

        # The dashboard (rollups) and its API.
        collected, delivered = reference_collected(), reference_delivered()
        board = dashboard(use_cache=False)
        assert (board.total_collected, board.pledges, board.collaborators) == (
            collected["total"], collected["pledges"], collected["collaborators"])
        assert {s.key: s.value for s in board.by_item} == collected["by_item"]
        assert (board.deliveries, board.recipients_reached, board.packages_delivered) == (
            delivered["deliveries"], delivered["recipients"], delivered["packages"])
        data = api.get("/api/v1/stats/dashboard/").json()
        assert (data["total_collected"], data["pledges"], data["deliveries"],
                data["packages_delivered"]) == (board.total_collected, board.pledges,
                                                board.deliveries, board.packages_delivered)
        assert {s["key"]: s["value"] for s in data["by_item"]} == collected["by_item"]

        # Open data.
        codes = {str(i.pk): i.code for i in Item.objects.all()}
        codes[MONEY_UNSPENT] = "money"
        by_code: dict[str, int] = defaultdict(int)
        rows = dataset_rows("pledges")
        for r in rows:
            by_code[r["item_code"]] += r["value_rupiah"]
        assert {k: v for k, v in by_code.items() if v} == {
            codes[k]: v for k, v in collected["by_item"].items()}
        assert sum(r["pledges"] for r in rows) == collected["pledges"]
        per_village: dict[tuple[str, str], int] = defaultdict(int)
        for r in dataset_rows("deliveries"):
            per_village[(r["village_code"], r["item_code"])] += r["quantity"]
        assert {k: v for k, v in per_village.items() if v} == delivered["per_village"]


def test_every_public_figure_equals_the_reference(cast: Any) -> None:
    world = _world(cast)

    class Machine(LedgerMachine):
        pass

    Machine.cast, Machine.world = cast, world

    # Each example runs in its own savepoint, rolled back when it ends.
    original_init, original_teardown = Machine.__init__, Machine.teardown

    def init(self: Any) -> None:
        self._example = _example(cast)
        self._example.__enter__()
        original_init(self)

    def teardown(self: Any) -> None:
        try:
            original_teardown(self)
        finally:
            self._example.__exit__(None, None, None)

    Machine.__init__ = init  # type: ignore[method-assign]
    Machine.teardown = teardown  # type: ignore[method-assign]
    run_state_machine_as_test(Machine, settings=settings(
        max_examples=5, stateful_step_count=18, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
    assert not Pledge.objects.exists()  # every example was rolled back
