"""The rollups (summary tables) behind the dashboard: kept by the services, in the same
transaction as the change, and rebuilt from the source tables when needed.

What changes them, and who calls what:

- a pledge received (``pledge_receive``): :func:`pledge_received`;
- money spent on a purchase (``purchase_record``): :func:`purchase_funded`;
- a BAST signed (``_sign`` in distribution): :func:`handover_signed`, which also takes out
  the BAST a signed correction replaces.

No service takes a pledge out of the collected states once received (rejecting and
cancelling apply to submitted pledges only), so there is no reversal of a receipt to record.

Writes that do not go through those services (the admin, a shell, bulk loads, test
fixtures) cannot keep the rollups. The signals of ``ksbb.stats.signals`` notice them and mark
the rollups stale; the next dashboard computation then rebuilds them first. Services that
save pledges, deliveries or BASTs without changing the figures run inside
:func:`maintained`, which tells the signals that the rollups are being taken care of.

Every change to the rollups first bumps the statistics generation (one row): it invalidates
the cached dashboards and, since the row stays locked until the transaction ends, makes a
rebuild (which locks that row for its whole run) and the increments wait for each other.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, Max, Min, Model, OuterRef, Sum
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from ksbb.accounts.models import Organization
from ksbb.core import areacodes
from ksbb.donations.models import PLEDGE_COUNTS_AS_RECEIVED, PurchaseFunding
from ksbb.needs.models import Recipient
from ksbb.stats.models import (
    NO_ITEM,
    TOTAL_KEY,
    CollectedDaily,
    CollectedTotal,
    DeliveredDaily,
    DeliveredTotal,
    FundedDaily,
    Generation,
    Reach,
    ReachDay,
    Role,
)
from ksbb.stats.pagecache import forget_generation
from ksbb.stats.regionrows import pledge_place, pledge_place_expression

logger = logging.getLogger(__name__)
REGENCY_LENGTH = len("31.71")
BATCH = 5_000
_maintaining: contextvars.ContextVar[int] = contextvars.ContextVar("ksbb_stats_maintaining",
                                                                    default=0)


@contextlib.contextmanager
def maintained() -> Iterator[None]:
    """Services that keep the rollups themselves (or change nothing they count) run inside
    this, as a ``with`` block or a decorator."""
    token = _maintaining.set(_maintaining.get() + 1)
    try:
        yield
    finally:
        _maintaining.reset(token)


def is_maintained() -> bool:
    return _maintaining.get() > 0


# The generation row: cache invalidation, staleness and the lock.

def bump(*, stale: bool = False) -> None:
    """Bump the generation (and lock its row until the transaction ends); ``stale`` also
    marks the rollups for a rebuild."""
    forget_generation()
    transaction.on_commit(forget_generation)
    changes: dict[str, Any] = {"value": F("value") + 1}
    if stale:
        changes["rollups_stale"] = True
    if not Generation.objects.filter(pk=1).update(**changes):
        try:
            with transaction.atomic():
                Generation.objects.create(pk=1, value=1, rollups_stale=stale)
        except IntegrityError:  # created meanwhile by another process
            Generation.objects.filter(pk=1).update(**changes)


def is_stale() -> bool:
    return Generation.objects.filter(pk=1, rollups_stale=True).exists()


def rebuild_stale_and_bump() -> dict[str, int]:
    """Rebuild if stale, then bump the generation so that pages cached meanwhile (with the
    figures from before) make way for the new ones."""
    counts = rebuild(only_if_stale=True)
    if counts:
        with transaction.atomic():
            bump()
    return counts


def ensure_fresh() -> None:
    """Rebuild the rollups if a write bypassed the services since the last rebuild."""
    if is_stale():
        started = time.perf_counter()
        if rebuild(only_if_stale=True):
            # Cheap on small data; on a large database, prefer ``ksbb stats_rebuild`` right
            # after a bulk change, so that no page waits for it.
            logger.warning("statistics rollups were stale (a change bypassed the services); "
                           "rebuilt in %.1f s", time.perf_counter() - started)


# Keys.

def local_day(when: dt.datetime) -> dt.date:
    return timezone.localtime(when, timezone.get_default_timezone()).date()


def pledge_regency(area_code: str | None) -> str:
    """Like the dashboard's ``Substr(code, 1, 5)`` of the pledge's area ("" for none)."""
    return (area_code or "")[:REGENCY_LENGTH]


def recipient_regency(area_code: str | None) -> str:
    """The regency a recipient's area lies in ("" when the code is not below a regency)."""
    code = area_code or ""
    return code[:REGENCY_LENGTH] if code[REGENCY_LENGTH:REGENCY_LENGTH + 1] == "." else ""


def recipient_place(area_code: str | None) -> str:
    """A recipient's area cut at the village ("31.71.01.1001.002" -> "31.71.01.1001"): the
    finest place the dashboard shows where aid went."""
    code = area_code or ""
    return areacodes.ancestor_at(code, areacodes.Level.VILLAGE) or code


# Upserts with increments.

def _upsert(model: type[Model], key: dict[str, Any], increments: dict[str, int]) -> None:
    """Add ``increments`` to the row with ``key`` (created when missing): one INSERT ... ON
    CONFLICT DO UPDATE, which PostgreSQL and SQLite (3.24+) both understand."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    values = []
    for value in key.values():
        if isinstance(value, dt.date):
            value = connection.ops.adapt_datefield_value(value)
        values.append(value)
    values.extend(increments.values())
    columns = ", ".join(qn(c) for c in [*key, *increments])
    marks = ", ".join(["%s"] * len(values))
    updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + EXCLUDED.{qn(c)}" for c in increments)
    conflict = ", ".join(qn(c) for c in key)
    sql = (f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608
           f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)  # identifiers from the model, values as parameters
    if any(v < 0 for v in increments.values()):
        model._default_manager.filter(**key, **{c: 0 for c in increments}).delete()


# The summary rollup each daily one is summed into (its key: ``TOTAL_KEY``).
_TOTAL_OF: dict[type[Model], type[Model]] = {CollectedDaily: CollectedTotal,
                                             DeliveredDaily: DeliveredTotal}


def _add(daily: type[Model], key: dict[str, Any], increments: dict[str, int]) -> None:
    """Add to a daily rollup's row and, by the same increments, to its summary rollup's:
    the only way either changes between rebuilds, so the totals stay the daily rows' sum."""
    _upsert(daily, key, increments)
    _upsert(_TOTAL_OF[daily], {k: key[k] for k in TOTAL_KEY}, increments)


def _reach(role: str, entity_id: int, program_id: int, regency: str, day: dt.date,
           delta: int) -> None:
    where = {"role": role, "entity_id": entity_id, "program_id": program_id,
             "regency": regency}
    _upsert(ReachDay, {**where, "day": day}, {"count": delta})
    if delta < 0:
        ReachDay.objects.filter(**where, count__lte=0).delete()
    span = ReachDay.objects.filter(**where).aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is None:
        Reach.objects.filter(**where).delete()
    elif not Reach.objects.filter(**where).update(first_day=span["first"],
                                                  last_day=span["last"]):
        Reach.objects.create(**where, first_day=span["first"], last_day=span["last"])


# Changes recorded by the services.

def _recipient_area(pledge: Any) -> str | None:
    """The area of the recipient a pledge is meant for: the place the donor chose (on the
    need map) when no area was chosen, so that the gift counts in that place's region."""
    if not pledge.recipient_id:
        return None
    return Recipient.objects.filter(pk=pledge.recipient_id).values_list(
        "area_id", flat=True).first()


def _pledge_key(pledge: Any) -> dict[str, Any]:
    area_id, kind = Organization.objects.filter(pk=pledge.collaborator_id).values_list(
        "area_id", "collaborator_profile__collaborator_kind").get()
    return {"day": local_day(pledge.received_at), "program_id": pledge.program_id,
            "regency": pledge_regency(pledge_place(
                place=pledge.preferred_area_id or _recipient_area(pledge), donor_area=area_id,
                region_id=pledge.region_id)),
            "collaborator_kind": kind or ""}


def pledge_received(pledge: Any) -> None:
    """A pledge entered the collected states (saved, with its receipt, by the caller)."""
    bump()
    key = _pledge_key(pledge)
    _add(CollectedDaily, {**key, "item_id": pledge.item_id or NO_ITEM}, {
        "pledges": 1, "quantity": pledge.received_quantity or 0,
        "amount": pledge.received_amount or 0})
    _reach(Role.COLLABORATOR, pledge.collaborator_id, pledge.program_id, key["regency"],
           key["day"], 1)


def purchase_funded(purchase: Any) -> None:
    """Money of received pledges spent on a purchase (its ``PurchaseFunding`` rows, saved)."""
    bump()
    for funding in PurchaseFunding.objects.filter(purchase_id=purchase.pk).select_related(
            "pledge").order_by("pk"):
        if funding.pledge.state in PLEDGE_COUNTS_AS_RECEIVED:
            _upsert(FundedDaily, {**_pledge_key(funding.pledge), "item_id": purchase.item_id},
                    {"amount": funding.amount_rupiah})


def _apply_handover(handover: Any, sign: int) -> None:
    area_id, kind, recipient_id = Recipient.objects.filter(
        deliveries__pk=handover.delivery_id).values_list("area_id", "kind", "pk").get()
    key = {"day": handover.date, "program_id": handover.program_id,
           "regency": recipient_regency(area_id), "area": recipient_place(area_id),
           "recipient_kind": kind}
    _add(DeliveredDaily, {**key, "item_id": NO_ITEM}, {"deliveries": sign, "quantity": 0})
    quantities: dict[int, int] = defaultdict(int)
    for item_id, quantity in handover.lines.values_list("item_id", "quantity"):
        quantities[item_id] += quantity
    for item_id, quantity in sorted(quantities.items()):
        if quantity:
            _add(DeliveredDaily, {**key, "item_id": item_id},
                    {"deliveries": 0, "quantity": sign * quantity})
    _reach(Role.RECIPIENT, recipient_id, handover.program_id, key["regency"], key["day"],
           sign)


def handover_signed(handover: Any) -> None:
    """A BAST was signed: it is in force, and the one it corrects is not any more."""
    bump()
    if handover.supersedes_id is not None:
        old = type(handover).objects.get(pk=handover.supersedes_id)
        if old.state == old.State.SIGNED:
            _apply_handover(old, -1)
    _apply_handover(handover, 1)


# Rebuild.

def _bulk(model: type[Model], rows: list[Model]) -> None:
    for first in range(0, len(rows), BATCH):
        model._default_manager.bulk_create(rows[first:first + BATCH])


def _summed(rows: dict[tuple[Any, ...], list[int]], positions: tuple[int, ...]
            ) -> dict[tuple[Any, ...], list[int]]:
    """The daily rows about to be written, summed by the key parts at ``positions`` (the
    programme, regency and item: ``TOTAL_KEY``): the summary rollup's rows."""
    totals: dict[tuple[Any, ...], list[int]] = {}
    for key, values in rows.items():
        total = totals.setdefault(tuple(key[p] for p in positions), [0] * len(values))
        for n, value in enumerate(values):
            total[n] += value
    return {k: v for k, v in totals.items() if any(v)}


def rebuild(*, only_if_stale: bool = False, progress: Callable[[str], None] | None = None,
            apps: Any = None) -> dict[str, int]:
    """Recompute every rollup from the source tables, in one transaction.

    Returns the number of rows written per table. ``only_if_stale``: do nothing unless the
    rollups are marked stale (checked again under the lock: another process may just have
    rebuilt them). ``apps``: the model registry (a data migration passes its historical
    one); the queries say what ``ksbb.stats.reference`` says, and the tests hold them to it.
    """
    if apps is None:
        from django.apps import apps
    model = apps.get_model
    generations = model("stats", "Generation").objects
    pledges = model("donations", "Pledge").objects
    fundings = model("donations", "PurchaseFunding").objects
    handovers = model("distribution", "Handover").objects
    handover_lines = model("distribution", "HandoverLine").objects
    collaborators = model("accounts", "Organization").objects
    recipient_rows = model("needs", "Recipient").objects
    tables = {name: model("stats", name) for name in (
        "CollectedDaily", "CollectedTotal", "FundedDaily", "DeliveredDaily", "DeliveredTotal",
        "ReachDay", "Reach")}
    collected_states = ["received", "allocated", "distributed", "completed"]
    signed = "signed"

    say = progress or (lambda _message: None)
    tz = timezone.get_default_timezone()
    counts: dict[str, int] = {}
    with transaction.atomic():
        generation = generations.select_for_update().filter(pk=1).first()
        if generation is None:
            generations.create(pk=1, value=1)
            generation = generations.select_for_update().get(pk=1)
        if only_if_stale and not generation.rollups_stale:
            return counts
        if not only_if_stale:
            # By hand: the cached dashboards may disagree with the result. (Stale rollups
            # were marked with a bump already; the caller is computing under that number.)
            generations.filter(pk=1).update(value=F("value") + 1)

            transaction.on_commit(forget_generation)
        for table in tables.values():
            table.objects.all().delete()
        say("cleared the rollups")

        def regency_of(prefix: str) -> Substr:
            return Substr(pledge_place_expression(prefix), 1, REGENCY_LENGTH)

        kinds = dict(collaborators.filter(collaborator_profile__isnull=False)
                     .values_list("pk", "collaborator_profile__collaborator_kind"))
        collected: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
        reach: dict[tuple[Any, ...], int] = defaultdict(int)
        grouped = pledges.filter(state__in=collected_states).order_by().annotate(
            day=TruncDate("received_at", tzinfo=tz), regency=regency_of("")).values_list(
            "day", "program_id", "regency", "collaborator_id", "item_id").annotate(
            n=Count("pk"), quantity=Sum("received_quantity"), amount=Sum("received_amount"))
        for day, program_id, regency, collaborator_id, item_id, n, quantity, amount in (
                grouped.iterator(chunk_size=BATCH)):
            key = (day, program_id, regency or "", kinds.get(collaborator_id, ""),
                   item_id or NO_ITEM)
            totals = collected[key]
            totals[0] += n
            totals[1] += int(quantity or 0)
            totals[2] += int(amount or 0)
            reach[(Role.COLLABORATOR.value, collaborator_id, program_id, regency or "",
                   day)] += n
        _bulk(tables["CollectedDaily"], [
            tables["CollectedDaily"](day=k[0], program_id=k[1], regency=k[2],
                                     collaborator_kind=k[3], item_id=k[4], pledges=v[0],
                                     quantity=v[1], amount=v[2])
            for k, v in collected.items()])
        counts["collected"] = len(collected)
        collected_totals = _summed(collected, (1, 2, 4))
        _bulk(tables["CollectedTotal"], [
            tables["CollectedTotal"](program_id=k[0], regency=k[1], item_id=k[2],
                                     pledges=v[0], quantity=v[1], amount=v[2])
            for k, v in collected_totals.items()])
        counts["collected_totals"] = len(collected_totals)
        say(f"collected: {len(collected):,} rows, {len(collected_totals):,} totals")

        funded: dict[tuple[Any, ...], int] = defaultdict(int)
        spent = fundings.filter(pledge__state__in=collected_states).order_by().annotate(
            day=TruncDate("pledge__received_at", tzinfo=tz), regency=regency_of("pledge__"),
        ).values_list("day", "pledge__program_id", "regency", "pledge__collaborator_id",
                      "purchase__item_id").annotate(v=Sum("amount_rupiah"))
        for day, program_id, regency, collaborator_id, item_id, amount in spent.iterator(
                chunk_size=BATCH):
            funded[(day, program_id, regency or "", kinds.get(collaborator_id, ""),
                    item_id)] += int(amount or 0)
        _bulk(tables["FundedDaily"], [
            tables["FundedDaily"](day=k[0], program_id=k[1], regency=k[2],
                                  collaborator_kind=k[3], item_id=k[4], amount=v)
            for k, v in funded.items()])
        counts["funded"] = len(funded)
        say(f"funded: {len(funded):,} rows")

        recipients = {pk: (recipient_regency(area_id), kind, recipient_place(area_id))
                      for pk, area_id, kind in
                      recipient_rows.values_list("pk", "area_id", "kind").iterator(
                          chunk_size=BATCH)}
        delivered: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
        # In force: signed, and not replaced by a signed correction.
        corrected = handovers.filter(supersedes=OuterRef("pk"), state=signed)
        in_force = handovers.filter(state=signed).filter(~Exists(corrected)).order_by()
        for day, program_id, recipient_id, n in in_force.values_list(
                "date", "program_id", "delivery__recipient_id").annotate(
                n=Count("pk")).iterator(chunk_size=BATCH):
            regency, kind, place = recipients[recipient_id]
            delivered[(day, program_id, regency, kind, NO_ITEM, place)][0] += n
            reach[(Role.RECIPIENT.value, recipient_id, program_id, regency, day)] += n
        say(f"BASTs in force: {len(delivered):,} keys")
        lines = handover_lines.filter(handover__in=in_force).order_by().values_list(
            "handover__date", "handover__program_id", "handover__delivery__recipient_id",
            "item_id").annotate(q=Sum("quantity"))
        for day, program_id, recipient_id, item_id, quantity in lines.iterator(
                chunk_size=BATCH):
            regency, kind, place = recipients[recipient_id]
            delivered[(day, program_id, regency, kind, item_id, place)][1] += int(
                quantity or 0)
        _bulk(tables["DeliveredDaily"], [
            tables["DeliveredDaily"](day=k[0], program_id=k[1], regency=k[2],
                                     recipient_kind=k[3], item_id=k[4], area=k[5],
                                     deliveries=v[0], quantity=v[1])
            for k, v in delivered.items()])
        counts["delivered"] = len(delivered)
        delivered_totals = _summed(delivered, (1, 2, 4))
        _bulk(tables["DeliveredTotal"], [
            tables["DeliveredTotal"](program_id=k[0], regency=k[1], item_id=k[2],
                                     deliveries=v[0], quantity=v[1])
            for k, v in delivered_totals.items()])
        counts["delivered_totals"] = len(delivered_totals)
        say(f"delivered: {len(delivered):,} rows, {len(delivered_totals):,} totals")

        _bulk(tables["ReachDay"], [
            tables["ReachDay"](role=k[0], entity_id=k[1], program_id=k[2], regency=k[3],
                               day=k[4], count=n) for k, n in reach.items()])
        spans: dict[tuple[Any, ...], list[dt.date]] = {}
        for (role, entity_id, program_id, regency, day) in reach:
            span = spans.setdefault((role, entity_id, program_id, regency), [day, day])
            span[0], span[1] = min(span[0], day), max(span[1], day)
        _bulk(tables["Reach"], [
            tables["Reach"](role=k[0], entity_id=k[1], program_id=k[2], regency=k[3],
                            first_day=v[0], last_day=v[1]) for k, v in spans.items()])
        counts["reach_days"], counts["reach"] = len(reach), len(spans)
        say(f"reach: {len(reach):,} days, {len(spans):,} spans")
        generations.filter(pk=1).update(rollups_stale=False)
    return counts
