"""The rollups the dashboard reads agree with the source tables: after any sequence of
service calls, the rollup-based dashboard equals the reference computation
(ksbb.stats.reference) for any filters, and a rebuild writes the same rows."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import membership_grant, organization_create
from ksbb.areas.models import Area
from ksbb.distribution.models import Handover
from ksbb.distribution.services import (
    delivery_deliver,
    delivery_dispatch,
    delivery_schedule,
    handover_create,
    handover_paper_accept,
    handover_paper_upload,
)
from ksbb.donations.models import (
    PLEDGE_COUNTS_AS_RECEIVED,
    CollaboratorProfile,
    Item,
    Pledge,
    Program,
)
from ksbb.donations.services import (
    pledge_cancel,
    pledge_money_remaining,
    pledge_receive,
    pledge_reject,
    pledge_submit,
    purchase_record,
)
from ksbb.needs.models import Recipient
from ksbb.stats import rollups, selectors
from ksbb.stats.models import (
    CollectedDaily,
    CollectedTotal,
    DeliveredDaily,
    DeliveredTotal,
    FundedDaily,
    Reach,
    ReachDay,
)
from ksbb.stats.reference import reference_dashboard
from ksbb.stats.regional import national
from ksbb.stats.selectors import Filters, dashboard
from tests.conftest import SETUP
from tests.distribution.conftest import make_allocation
from tests.donations.conftest import setup_donations
from tests.stats.totals import assert_totals_are_the_daily_rows_summed
from tests.uploads import pdf

pytestmark = pytest.mark.django_db

PDF = pdf()  # a real one: uploads are parsed, not trusted by their first bytes
TODAY = dt.date(2026, 1, 1)  # replaced by the real date in _world
REGENCIES = [None, "31.71", "31.74", "31.75", "31.01"]
PREFERRED = [None, "31.74", "31.74.01.1001", "31.01.01.1001", "31"]


class _Rollback(Exception):
    pass


@contextmanager
def _example(cast: Any) -> Any:
    """One Hypothesis example: its writes are rolled back at the end."""
    cache.clear()
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
    social = organization_create(kind=Organization.Kind.COLLABORATOR, name="Yayasan",
                                 area=Area.objects.get(code="31.73.01.1001"), by=SETUP)
    CollaboratorProfile.objects.create(organization=social, collaborator_kind="social_org",
                                       contact_email="y@example.org")
    anonymous = organization_create(kind=Organization.Kind.COLLABORATOR, name="Hamba Allah",
                                    by=SETUP)
    for org in (social, anonymous):
        membership_grant(user=cast.collaborator, role=Role.COLLABORATOR, organization=org,
                         by=SETUP)
    orphanage = Recipient.objects.create(kind=Recipient.Kind.ORPHANAGE, name="Panti Asuhan",
                                         area=Area.objects.get(code="31.74.01.1001"),
                                         address="Jl. Melati 1", is_verified=True)
    return {"don": don, "collaborators": [cast.collaborator_org, social, anonymous],
            "recipients": [cast.recipient, cast.other_recipient, orphanage],
            "items": [don.sembako, don.ready_meal,
                      Item.objects.get(name="Paket alat tulis sekolah")],
            "programs": [don.pangan, Program.objects.get(code="PENDIDIKAN")]}


def _receive(pledge: Pledge, cast: Any, days_ago: int, **received: int) -> Pledge:
    # The receipt is dated by the clock: move it back, at a time of day that crosses
    # midnight in UTC and in Jakarta.
    when = timezone.now() - dt.timedelta(days=days_ago, hours=days_ago % 13)
    with mock.patch.object(timezone, "now", return_value=when):
        return pledge_receive(pledge=pledge, by=cast.aggregator, **received)


def _sign_on_paper(handover: Handover, cast: Any) -> Handover:
    handover = handover_paper_upload(handover=handover, by=cast.executor,
                                     upload=SimpleUploadedFile("scan.pdf", PDF),
                                     receiver_name="Ketua", witness_name="Lurah")
    return handover_paper_accept(handover=handover, by=cast.assessor)


def _deliver(cast: Any, world: dict[str, Any], which: int, recipient: int, quantity: int,
             part: int, days_ago: int) -> Handover:
    """A delivery from a received Pangan goods pledge (one is made if none), handed over
    ``days_ago`` with ``part`` quarters of ``quantity``, signed on paper."""
    # make_allocation assesses needs in a Pangan round.
    goods = list(Pledge.objects.filter(kind=Pledge.Kind.GOODS, program__code="PANGAN",
                                       state__in=PLEDGE_COUNTS_AS_RECEIVED).order_by("pk"))
    if not goods:
        _run(("goods", which % 3, which % 2, 100, 4, which % len(PREFERRED), days_ago), cast,
             world)
        goods = list(Pledge.objects.filter(kind=Pledge.Kind.GOODS, program__code="PANGAN"))
    pledge = goods[which % len(goods)]
    allocation = make_allocation(cast, world["don"], recipient=world["recipients"][recipient],
                                 quantity=quantity, pledge=pledge, item=pledge.item)
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    # The world's history: the delivery set out before any handover date drawn (a BAST
    # is never dated before its delivery left).
    long_ago = timezone.now() - dt.timedelta(days=60)
    type(delivery).objects.filter(pk=delivery.pk).update(created_at=long_ago,
                                                         dispatched_at=long_ago)
    delivery.refresh_from_db()
    line = delivery.lines.get()
    handover = handover_create(
        delivery=delivery, date=timezone.localdate() - dt.timedelta(days=days_ago),
        lines={line.pk: max(1, quantity * part // 4)}, address="Balai warga", by=cast.executor)
    return _sign_on_paper(handover, cast)


def _run(op: tuple[Any, ...], cast: Any, world: dict[str, Any]) -> None:
    kind = op[0]
    if kind == "goods":
        _k, who, item, quantity, part, where, days_ago = op
        area = PREFERRED[where]
        pledge = pledge_submit(collaborator=world["collaborators"][who],
                               aggregator=cast.aggregator_org, item=world["items"][item],
                               quantity=quantity, by=cast.collaborator,
                               preferred_area=Area.objects.get(code=area) if area else None)
        _receive(pledge, cast, days_ago, received_quantity=max(1, quantity * part // 4))
    elif kind == "money":
        _k, who, program, amount, where, days_ago = op
        area = PREFERRED[where]
        pledge = pledge_submit(collaborator=world["collaborators"][who],
                               aggregator=cast.aggregator_org,
                               program=world["programs"][program], amount=amount,
                               by=cast.collaborator,
                               preferred_area=Area.objects.get(code=area) if area else None)
        _receive(pledge, cast, days_ago, received_amount=amount)
    elif kind == "refused":
        _k, who, cancel = op
        pledge = pledge_submit(collaborator=world["collaborators"][who],
                               aggregator=cast.aggregator_org, program=world["programs"][0],
                               amount=7_000, by=cast.collaborator)
        if cancel:
            pledge_cancel(pledge=pledge, reason="salah", by=cast.collaborator)
        else:
            pledge_reject(pledge=pledge, reason="tidak datang", by=cast.aggregator)
    elif kind == "purchase":
        _k, part = op
        for pledge in Pledge.objects.filter(kind=Pledge.Kind.MONEY,
                                            state=Pledge.State.RECEIVED).order_by("pk"):
            left = pledge_money_remaining(pledge)
            if left <= 0:
                continue
            item = next(i for i in world["items"] if i.program_id == pledge.program_id)
            amount = max(1, left * part // 4)
            purchase_record(aggregator=cast.aggregator_org, item=item, quantity=2,
                            cost_rupiah=amount, supplier="Toko", funding=[(pledge, amount)],
                            by=cast.aggregator)
            return
    elif kind == "deliver":
        _k, which, recipient, quantity, part, days_ago = op
        _deliver(cast, world, which, recipient, quantity, part, days_ago)
    elif kind == "correct":
        _k, which, part, days_ago = op
        # Signed and not corrected yet (a draft correction blocks another one).
        in_force = list(Handover.objects.filter(state=Handover.State.SIGNED,
                                                superseded_by__isnull=True).order_by("pk"))
        if not in_force:  # something to correct first
            in_force = [_deliver(cast, world, which, which % 3, 20, 4, days_ago + 1)]
        old = in_force[which % len(in_force)]
        line = old.lines.get()
        handover = handover_create(
            delivery=old.delivery, date=timezone.localdate() - dt.timedelta(days=days_ago),
            lines={line.delivery_line_id: max(1, line.quantity * part // 4)},
            address="Balai warga", supersedes=old, correction_reason="salah hitung",
            by=cast.executor)
        if part % 2:  # some corrections stay drafts: the old BAST stays in force
            _sign_on_paper(handover, cast)


days_ago = st.integers(0, 20)
operations = st.one_of(
    st.tuples(st.just("goods"), st.integers(0, 2), st.integers(0, 2), st.integers(1, 50),
              st.integers(1, 4), st.integers(0, len(PREFERRED) - 1), days_ago),
    st.tuples(st.just("money"), st.integers(0, 2), st.integers(0, 1),
              st.integers(1, 5_000_000), st.integers(0, len(PREFERRED) - 1), days_ago),
    st.tuples(st.just("refused"), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("purchase"), st.integers(1, 4)),
    st.tuples(st.just("deliver"), st.integers(0, 5), st.integers(0, 2), st.integers(1, 30),
              st.integers(1, 4), days_ago),
    st.tuples(st.just("correct"), st.integers(0, 5), st.integers(1, 4), days_ago),
)


@st.composite
def filters(draw: Any) -> Filters:
    today = timezone.localdate()
    start = draw(st.one_of(st.none(), st.integers(-2, 22)))
    end = draw(st.one_of(st.none(), st.integers(-2, 22)))
    return Filters(program=draw(st.sampled_from([None, "PANGAN", "PENDIDIKAN", "NOPE"])),
                   regency=draw(st.sampled_from(REGENCIES)),
                   start=None if start is None else today - dt.timedelta(days=start),
                   end=None if end is None else today - dt.timedelta(days=end))


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    """The rollups' rows without ids and all-zero rows, sorted."""
    def rows(model: Any, fields: list[str], counters: list[str]) -> list[tuple[Any, ...]]:
        return sorted(r for r in model.objects.values_list(*fields, *counters)
                      if any(r[len(fields):]))
    key = ["day", "program_id", "regency", "collaborator_kind", "item_id"]
    return {
        "collected": rows(CollectedDaily, key, ["pledges", "quantity", "amount"]),
        "funded": rows(FundedDaily, key, ["amount"]),
        "delivered": rows(DeliveredDaily, ["day", "program_id", "regency", "recipient_kind",
                                           "item_id"], ["deliveries", "quantity"]),
        "reach_days": rows(ReachDay, ["role", "entity_id", "program_id", "regency", "day"],
                           ["count"]),
        "reach": sorted(Reach.objects.values_list("role", "entity_id", "program_id", "regency",
                                                  "first_day", "last_day")),
        "collected_totals": rows(CollectedTotal, ["program_id", "regency", "item_id"],
                                 ["pledges", "quantity", "amount"]),
        "delivered_totals": rows(DeliveredTotal, ["program_id", "regency", "item_id"],
                                 ["deliveries", "quantity"]),
    }


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(ops=st.lists(operations, max_size=8), checks=st.lists(filters(), min_size=1,
                                                             max_size=5))
def test_rollups_agree_with_the_source_tables_after_any_service_calls(
        cast, ops, checks):  # type: ignore[no-untyped-def]
    with _example(cast):
        world = _world(cast)
        for op in ops:
            _run(op, cast, world)
        # The services kept the rollups: nothing fell back to a rebuild.
        assert not rollups.is_stale()
        for f in [Filters(), *checks]:
            assert selectors._compute(f) == reference_dashboard(f), f
        # The summary rollups, kept by the same calls, are the daily ones summed, and the
        # national roll-up (which reads them) says what the dashboard (daily rows) says.
        assert_totals_are_the_daily_rows_summed()
        for program in (None, "PANGAN", "PENDIDIKAN"):
            whole, reference = national(program, use_cache=False), reference_dashboard(
                Filters(program=program))
            assert (whole.total_collected, whole.pledges, whole.deliveries,
                    whole.packages_delivered, whole.delivered_value) == (
                reference.total_collected, reference.pledges, reference.deliveries,
                reference.packages_delivered, reference.delivered_value), program
        kept = _rows()
        rollups.rebuild()
        assert _rows() == kept


def test_a_signed_correction_replaces_what_it_corrects_and_moves_its_date(cast):  # type: ignore[no-untyped-def]
    world = _world(cast)
    _run(("goods", 0, 0, 40, 4, 0, 3), cast, world)
    _run(("deliver", 0, 0, 20, 4, 10), cast, world)  # 20 packages, 10 days ago
    ten_days = timezone.localdate() - dt.timedelta(days=10)
    d = dashboard(Filters(start=ten_days, end=ten_days))
    assert (d.packages_delivered, d.deliveries, d.recipients_reached) == (20, 1, 1)
    _run(("correct", 0, 3, 2), cast, world)  # 15 packages, 2 days ago
    assert not rollups.is_stale()
    d = dashboard(Filters(start=ten_days, end=ten_days))
    assert (d.packages_delivered, d.deliveries, d.recipients_reached) == (0, 0, 0)
    d = dashboard()
    assert (d.packages_delivered, d.deliveries, d.recipients_reached) == (15, 1, 1)
    assert DeliveredDaily.objects.filter(day=ten_days).count() == 0


def test_distinct_counts_look_inside_a_span_for_a_period_within_it(cast):  # type: ignore[no-untyped-def]
    world = _world(cast)
    for days in (15, 8, 1):  # one collaborator, three days; a gap on either side of 8
        _run(("money", 0, 0, 1_000, 0, days), cast, world)
    # The receipts' local days, as stored: _receive moves the clock by hours too, so which
    # calendar day "8 days ago" lands on depends on the time of day the test runs.
    first, middle, last = (timezone.localdate(p.received_at) for p in
                           Pledge.objects.order_by("received_at"))
    day = dt.timedelta(days=1)

    def collaborators(start: dt.date, end: dt.date) -> int:
        f = Filters(start=start, end=end)
        assert selectors._compute(f) == reference_dashboard(f)
        return dashboard(f).collaborators

    assert collaborators(middle - day, middle + day) == 1  # the middle day only
    assert collaborators(first + day, middle - day) == 0  # inside the span, between two days
    assert collaborators(middle + day, last - day) == 0


def test_a_write_around_the_services_marks_the_rollups_stale_and_the_next_read_rebuilds(
        cast):  # type: ignore[no-untyped-def]
    world = _world(cast)
    _run(("money", 0, 0, 1_000, 0, 0), cast, world)
    assert dashboard().total_collected == 1_000
    assert not rollups.is_stale()
    Pledge.objects.filter(state=Pledge.State.RECEIVED).get().save()  # e.g. the admin
    assert rollups.is_stale()
    assert dashboard().total_collected == 1_000
    assert not rollups.is_stale()


def test_a_collaborator_moved_to_another_area_marks_the_rollups_stale(cast):  # type: ignore[no-untyped-def]
    world = _world(cast)
    social = world["collaborators"][1]
    _run(("money", 1, 0, 2_000, 0, 0), cast, world)
    assert [s.key for s in dashboard().by_regency] == ["31.73"]
    social.area = Area.objects.get(code="31.72.01.1001")
    social.save()  # not through a service
    assert rollups.is_stale()
    assert [s.key for s in dashboard().by_regency] == ["31.72"]
    social.name = "Yayasan Baru"
    social.save()
    assert not rollups.is_stale()  # the name is not a key


def test_an_item_value_change_shows_without_a_rebuild(cast):  # type: ignore[no-untyped-def]
    world = _world(cast)
    _run(("goods", 0, 0, 10, 4, 0, 0), cast, world)
    sembako = world["items"][0]
    assert dashboard().total_collected == 10 * sembako.value_rupiah
    Item.objects.filter(pk=sembako.pk).update(value_rupiah=1_000)
    cache.clear()
    assert dashboard().total_collected == 10_000 == reference_dashboard(Filters()).total_collected


def test_stats_rebuild_command_recomputes_and_reports(cast):  # type: ignore[no-untyped-def]
    world = _world(cast)
    _run(("goods", 1, 0, 10, 4, 2, 1), cast, world)
    _run(("money", 0, 0, 500_000, 0, 3), cast, world)
    _run(("purchase", 2), cast, world)
    _run(("deliver", 0, 2, 5, 4, 1), cast, world)
    kept = _rows()
    assert kept["collected_totals"] and kept["delivered_totals"]
    CollectedDaily.objects.all().delete()  # damaged by hand
    DeliveredTotal.objects.all().delete()
    out = StringIO()
    call_command("stats_rebuild", stdout=out)
    assert "rollups rebuilt" in out.getvalue() and "collected" in out.getvalue()
    assert _rows() == kept
    assert selectors._compute(Filters()) == reference_dashboard(Filters())


def test_the_migration_fills_the_totals_from_the_daily_rollups(cast):  # type: ignore[no-untyped-def]
    """An installation upgraded with rollups already built gets the same totals as a
    rebuild, without one."""
    import importlib

    from django.apps import apps

    world = _world(cast)
    _run(("goods", 1, 0, 10, 4, 2, 1), cast, world)
    _run(("money", 0, 1, 500_000, 0, 3), cast, world)
    _run(("deliver", 0, 2, 5, 4, 1), cast, world)
    kept = _rows()
    CollectedTotal.objects.all().delete()
    DeliveredTotal.objects.all().delete()
    importlib.import_module("ksbb.stats.migrations.0009_totals").fill_from_daily(apps, None)
    assert _rows() == kept
    assert_totals_are_the_daily_rows_summed()
