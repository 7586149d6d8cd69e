"""The ledger: ONE definition of the public figures, used by every surface that shows them
(the donor's need list ``/donations/needs/``, the coverage page ``/coverage/`` and its API,
open data ``/open-data/*``, the dashboard and ``/api/v1/stats/dashboard/``).

Two families of figures, never mixed up:

**Where aid goes** (per recipient, and so per area from province down to RW, per aid item,
programme and period), in the item's unit:

* ``need``: the assessed quantity in the item's *current round* (the latest open
  assessment round that assessed the item; when none is open, the latest round). A need is a
  level, not an increment (see ``ksbb.allocation.selectors``).
* ``promised``: goods pledged for the recipient (or an area) and not yet received by the
  aggregator (state ``submitted``), only from collaborators who confirmed their e-mail
  address and only until the promise expires (``KSBB_PLEDGE_PROMISE_DAYS``). Shown
  apart: a promise never counts as covered.
* ``received``: goods of received pledges meant for the recipient (or an area) that are not
  allocated yet: the received quantity minus the pledge's active allocations.
* ``allocated``: active allocations to the recipient, net of what came back
  (``quantity - returned_quantity``), from any supply (goods pledges and purchases).
* ``delivered``: quantity on the BASTs in force (signed, not replaced by a signed
  correction) of the recipient's deliveries. Always part of ``allocated``.
* ``covered = received + allocated``: aid that has arrived at an aggregator and is meant
  for the recipient or already on its way to it. This is what "covered" means everywhere.

A pledge meant for an area (its preferred area) counts in that area and every area above it,
and in no area below (it is not known yet which RW gets it); a pledge for a recipient counts
at the recipient.

**Where aid comes from** (what was collected, placed by the donor's area), in rupiah: only
received pledges (``COUNTS_AS_RECEIVED``) count; money is counted once, as money until it is
spent, then as the goods it bought (:func:`collected_parts`).

With a period, each figure is dated by its own event: need by the round's period (rounds
overlapping the period), promised by the pledge's submission, received by its receipt,
allocated by the allocation's approval, delivered by the BAST's date (local dates).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from ksbb.allocation.models import Allocation
from ksbb.core import areacodes
from ksbb.donations.models import (
    PLEDGE_COUNTS_AS_RECEIVED,
    PLEDGE_PROMISED,
    Pledge,
    Purchase,
    PurchaseFunding,
)
from ksbb.donations.selectors import units_bought
from ksbb.needs.models import AssessmentRound, Need
from ksbb.stats.reference import effective_handover_lines

# Pledges an aggregator has received: they count in every public figure. (Later states are
# the same pledge moving on through allocation and distribution.)
COUNTS_AS_RECEIVED = PLEDGE_COUNTS_AS_RECEIVED
# A submitted pledge is a promise: shown apart, never counted as received or covered.
PROMISE_STATES = PLEDGE_PROMISED
MONEY = None  # the item of a money part not (yet) spent on goods


# Scope -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What to count. Every field is optional; None means everything."""

    program: str | None = None  # programme code, e.g. "PANGAN"
    item: str | None = None  # aid item code, e.g. "sembako"
    within: str | None = None  # an area code (province .. RW): recipients inside it
    recipient: int | None = None  # one recipient's id
    start: dt.date | None = None  # local date, inclusive
    end: dt.date | None = None  # local date, inclusive


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min),
                               timezone.get_default_timezone())


def _in_period(prefix: str, scope: Scope, *, date: bool = False) -> Q:
    q = Q()
    if date:
        if scope.start:
            q &= Q(**{f"{prefix}__gte": scope.start})
        if scope.end:
            q &= Q(**{f"{prefix}__lte": scope.end})
        return q
    if scope.start:
        q &= Q(**{f"{prefix}__gte": _local_midnight(scope.start)})
    if scope.end:
        q &= Q(**{f"{prefix}__lt": _local_midnight(scope.end + dt.timedelta(days=1))})
    return q


def _within(field_name: str, code: str | None) -> Q:
    """Rows whose area (``field_name``, a foreign key to an area) is ``code`` or lies below
    it."""
    if not code:
        return Q()
    return areacodes.within_q(field_name, code)


def promise_days() -> int:
    return int(settings.KSBB_PLEDGE_PROMISE_DAYS)


def promise_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Pledges submitted before this have expired as promises."""
    return (now or timezone.now()) - dt.timedelta(days=promise_days())


def promised_pledges(now: dt.datetime | None = None) -> QuerySet[Pledge]:
    """Submitted pledges that count as promises: from a collaborator who confirmed the
    e-mail address, and not expired."""
    return Pledge.objects.filter(
        state__in=PROMISE_STATES, created_at__gte=promise_cutoff(now),
        collaborator__collaborator_profile__email_verified_at__isnull=False)


def received_pledges() -> QuerySet[Pledge]:
    return Pledge.objects.filter(state__in=COUNTS_AS_RECEIVED)


# Where aid goes ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    need: int = 0
    promised: int = 0
    received: int = 0  # received, meant here, not yet allocated
    allocated: int = 0
    delivered: int = 0

    @property
    def covered(self) -> int:
        return self.received + self.allocated

    @property
    def open_need(self) -> int:
        return max(0, self.need - self.covered)

    @property
    def ratio(self) -> float | None:
        """covered / need, 4 decimals; None without need."""
        return round(self.covered / self.need, 4) if self.need else None

    @property
    def percent(self) -> float | None:
        """covered in percent of need, one decimal; None without need."""
        return round(self.covered * 100 / self.need, 1) if self.need else None

    @property
    def delivered_percent(self) -> float | None:
        return round(self.delivered * 100 / self.need, 1) if self.need else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(a + b for a, b in zip(dataclasses.astuple(self),
                                               dataclasses.astuple(other), strict=True)))

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.update(covered=self.covered, open_need=self.open_need, ratio=self.ratio,
                    percent=self.percent)
        return data


FIELDS = ("need", "promised", "received", "allocated", "delivered")


@dataclass(frozen=True)
class Cell:
    """The figures of one place (a recipient, or an area a pledge was meant for) and item."""

    area: str  # the recipient's area, or the pledge's preferred area
    recipient_id: int | None  # None: meant for the area as a whole
    item_id: int
    figures: Figures


def current_rounds(scope: Scope = Scope()) -> dict[int, int]:
    """Per aid item, its current round: the latest open round that assessed it, else the
    latest round (latest: by period start, then id). With a period, only rounds
    overlapping it."""
    needs = Need.objects.order_by()
    if scope.item:
        needs = needs.filter(item__code=scope.item)
    if scope.program:
        needs = needs.filter(item__program__code=scope.program)
    if scope.start:
        needs = needs.filter(round__period_end__gte=scope.start)
    if scope.end:
        needs = needs.filter(round__period_start__lte=scope.end)
    return _current(needs.values_list("item_id", "round_id", "round__state",
                                      "round__period_start").distinct())


def _current(rows: Iterable[tuple[int, int, str, Any]]) -> dict[int, int]:
    """The rule of :func:`current_rounds` over (item, round, round's state, its start)."""
    best: dict[int, tuple[Any, ...]] = {}
    for item_id, round_id, state, start in rows:
        key = (state == AssessmentRound.State.OPEN, start, round_id)
        if item_id not in best or key > best[item_id]:
            best[item_id] = key
    return {item_id: key[2] for item_id, key in best.items()}


def current_rounds_of(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """:func:`current_rounds` (no scope but what chose them) of the (item, round) pairs
    that have needs, when the caller has read them already (with its own figures)."""
    pairs = set(pairs)
    rounds = {pk: (state, start) for pk, state, start in AssessmentRound.objects.filter(
        pk__in={round_id for _i, round_id in pairs}).values_list("pk", "state", "period_start")}
    return _current((item_id, round_id, *rounds[round_id]) for item_id, round_id in pairs
                    if round_id in rounds)


def _item_filter(prefix: str, scope: Scope) -> Q:
    q = Q()
    if scope.item:
        q &= Q(**{f"{prefix}item__code": scope.item})
    if scope.program:
        q &= Q(**{f"{prefix}item__program__code": scope.program})
    return q


def cells(scope: Scope = Scope(), *, now: dt.datetime | None = None) -> list[Cell]:
    """Every (place, item) with a figure, in a handful of grouped queries."""
    acc: dict[tuple[str, int | None, int], list[int]] = defaultdict(lambda: [0] * 5)

    def add(area: str | None, recipient: int | None, item: int | None, index: int,
            value: Any) -> None:
        if area and item is not None and value:
            acc[(area, recipient, item)][index] += int(value)

    # need
    rounds = current_rounds(scope)
    if rounds:
        where = Q()
        for item_id, round_id in rounds.items():
            where |= Q(item_id=item_id, round_id=round_id)
        needs = Need.objects.filter(where).filter(_within("recipient__area", scope.within))
        if scope.recipient is not None:
            needs = needs.filter(recipient_id=scope.recipient)
        for area, recipient, item, value in needs.order_by().values_list(
                "recipient__area_id", "recipient_id", "item_id").annotate(v=Sum("quantity")):
            add(area, recipient, item, 0, value)

    # allocated (all active allocations of the pair, as the allocation engine counts them)
    allocations = Allocation.objects.filter(state=Allocation.State.ACTIVE).filter(
        _item_filter("", scope), _within("recipient__area", scope.within),
        _in_period("created_at", scope))
    if scope.recipient is not None:
        allocations = allocations.filter(recipient_id=scope.recipient)
    for area, recipient, item, value in allocations.order_by().values_list(
            "recipient__area_id", "recipient_id", "item_id").annotate(
            v=Sum(F("quantity") - F("returned_quantity"))):
        add(area, recipient, item, 3, value)

    # delivered
    lines = effective_handover_lines().filter(
        _item_filter("", scope), _within("handover__delivery__recipient__area", scope.within),
        _in_period("handover__date", scope, date=True))
    if scope.recipient is not None:
        lines = lines.filter(handover__delivery__recipient_id=scope.recipient)
    for area, recipient, item, value in lines.order_by().values_list(
            "handover__delivery__recipient__area_id", "handover__delivery__recipient_id",
            "item_id").annotate(v=Sum("quantity")):
        add(area, recipient, item, 4, value)

    # received (meant for a recipient or an area, not yet allocated) and promised
    def place(qs: QuerySet[Pledge]) -> QuerySet[Pledge]:
        qs = qs.filter(kind=Pledge.Kind.GOODS).filter(
            Q(recipient__isnull=False) | Q(preferred_area__isnull=False)).filter(
            _item_filter("", scope))
        if scope.within:
            qs = qs.filter(_within("recipient__area", scope.within)
                           | Q(recipient__isnull=True)
                           & _within("preferred_area", scope.within))
        if scope.recipient is not None:
            qs = qs.filter(recipient_id=scope.recipient)
        return qs.order_by()

    used = Allocation.objects.filter(state=Allocation.State.ACTIVE, pledge=OuterRef("pk"))
    received = place(received_pledges()).filter(_in_period("received_at", scope))
    used_by = dict(Allocation.objects.filter(
        state=Allocation.State.ACTIVE, pledge__in=received.filter(Exists(used)).values("pk"),
    ).order_by().values_list("pledge_id").annotate(v=Sum(F("quantity") - F("returned_quantity"))))
    for pk, area, recipient_area, recipient, item, quantity in received.values_list(
            "pk", "preferred_area_id", "recipient__area_id", "recipient_id", "item_id",
            "received_quantity"):
        left = (quantity or 0) - (used_by.get(pk) or 0)
        if left > 0:
            add(recipient_area or area, recipient, item, 2, left)
    promised = place(promised_pledges(now)).filter(_in_period("created_at", scope))
    for area, recipient_area, recipient, item, value in promised.values_list(
            "preferred_area_id", "recipient__area_id", "recipient_id", "item_id").annotate(
            v=Sum("quantity")):
        add(recipient_area or area, recipient, item, 1, value)

    return [Cell(area, recipient, item, Figures(*values))
            for (area, recipient, item), values in acc.items()]


def totals(scope: Scope = Scope(), *, now: dt.datetime | None = None) -> Figures:
    """The figures of everything in scope (an area includes what is meant for the area
    itself and for the areas between it and its recipients)."""
    return sum((c.figures for c in cells(scope, now=now)), Figures())


def by_item(scope: Scope = Scope(), *, now: dt.datetime | None = None) -> dict[int, Figures]:
    result: dict[int, Figures] = defaultdict(Figures)
    for c in cells(scope, now=now):
        result[c.item_id] = result[c.item_id] + c.figures
    return dict(result)


def by_area(scope: Scope = Scope(), *, level: int | None = None,
            now: dt.datetime | None = None) -> dict[str, Figures]:
    """Figures per area of ``level`` (1 province .. 5 RW; default: one level below
    ``scope.within``, regencies without it). A pledge meant for an area above that level is
    in no row (see :func:`totals`). Recipients whose own area is above the level (an
    institution registered on its village) are in no row either: see
    :func:`by_recipient`."""
    if level is None:
        level = (areacodes.level_of(scope.within) + 1 if scope.within
                 else int(areacodes.Level.REGENCY))
    result: dict[str, Figures] = defaultdict(Figures)
    for c in cells(scope, now=now):
        key = areacodes.ancestor_at(c.area, level)
        if key is not None:
            result[key] = result[key] + c.figures
    return dict(result)


def by_recipient(scope: Scope = Scope(), *,
                 now: dt.datetime | None = None) -> dict[int, Figures]:
    """Figures per recipient (what is meant for an area as a whole is in no row)."""
    result: dict[int, Figures] = defaultdict(Figures)
    for c in cells(scope, now=now):
        if c.recipient_id is not None:
            result[c.recipient_id] = result[c.recipient_id] + c.figures
    return dict(result)


# Where aid comes from ----------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """One part of a received pledge: goods as received, or money split into what each
    purchase spent of it (``item_id`` of the purchase, ``units`` bought, pro rata) and what
    is left unspent (``item_id`` None)."""

    pledge_id: int
    item_id: int | None
    units: int  # goods: received quantity; money: units bought (0 for the unspent part)
    rupiah: int  # goods at their item's value; money at the rupiah spent or left
    first: bool = True  # the pledge's first part (count the pledge once)


def collected_parts(pledges: QuerySet[Pledge] | None = None) -> list[Part]:
    """Every received pledge (of ``pledges``, default all) as parts: money counted once, as
    money until spent, then as the goods it bought at the rupiah spent."""
    qs = (pledges if pledges is not None else Pledge.objects.all()).filter(
        state__in=COUNTS_AS_RECEIVED).order_by("pk")
    rows = list(qs.values_list("pk", "kind", "item_id", "received_quantity", "received_amount",
                               "item__value_rupiah"))
    money_ids = [pk for pk, kind, *_rest in rows if kind == Pledge.Kind.MONEY]
    units: dict[int, list[Any]] = {}
    if money_ids:
        purchases = Purchase.objects.filter(pk__in=PurchaseFunding.objects.filter(
            pledge_id__in=money_ids).values("purchase_id"))
        units = dict(units_bought(purchases))
    parts: list[Part] = []
    for pk, kind, item_id, quantity, amount, value in rows:
        if kind == Pledge.Kind.GOODS:
            parts.append(Part(pk, item_id, int(quantity or 0), int(quantity or 0) * int(value)))
            continue
        spent = 0
        first = True
        by_item: dict[int, list[int]] = {}
        for f in units.get(pk, []):
            got = by_item.setdefault(f.item_id, [0, 0])
            got[0] += f.units
            got[1] += f.amount_rupiah
        for bought_item, (n, rupiah) in sorted(by_item.items()):
            parts.append(Part(pk, bought_item, n, rupiah, first))
            first = False
            spent += rupiah
        left = int(amount or 0) - spent
        if left or first:
            parts.append(Part(pk, MONEY, 0, left, first))
    return parts


@dataclass(frozen=True)
class Collected:
    total: int = 0  # rupiah
    pledges: int = 0
    by_item: dict[int | None, int] = field(default_factory=dict)  # rupiah; None: money left
    units: dict[int, int] = field(default_factory=dict)  # goods received or bought


def collected(pledges: QuerySet[Pledge] | None = None) -> Collected:
    by_item: dict[int | None, int] = defaultdict(int)
    units: dict[int, int] = defaultdict(int)
    count = 0
    for part in collected_parts(pledges):
        by_item[part.item_id] += part.rupiah
        if part.item_id is not None:
            units[part.item_id] += part.units
        count += part.first
    return Collected(sum(by_item.values()), count, dict(by_item), dict(units))


def pledge_ids(rows: Iterable[Part]) -> set[int]:
    return {p.pledge_id for p in rows}
