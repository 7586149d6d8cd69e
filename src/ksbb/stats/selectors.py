"""The public dashboard's figures, computed from the database in a handful of aggregate
queries and cached until the data changes.

:func:`dashboard` is the one source of truth: the page at ``/`` and the API at
``/api/v1/stats/dashboard/`` both show what it returns.

What counts as collected: pledges the aggregator confirmed (``received``) and every later
state (allocated, distributed, completed); money at its received amount, goods at their
received quantity times the item's value in rupiah. The period is the date of receipt in the
platform's time zone (Asia/Jakarta by default).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr, TruncWeek
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ksbb.areas.models import Area
from ksbb.donations.models import CollaboratorKind, Pledge, PurchaseFunding
from ksbb.stats.models import Generation

COLLECTED_STATES = (Pledge.State.RECEIVED, Pledge.State.ALLOCATED, Pledge.State.DISTRIBUTED,
                    Pledge.State.COMPLETED)
UNKNOWN = "unknown"
_COMPUTE_LOCK = threading.Lock()
MONEY_UNSPENT = "money"
REGENCY_CODE_LENGTH = len("31.71")
# A safety net only: every change to pledges and purchases invalidates at once.
CACHE_SECONDS = 600
# Up to this many weeks the weekly totals use one CASE; beyond, the database truncates.
MAX_CASE_WEEKS = 520


@dataclass(frozen=True)
class Filters:
    program: str | None = None  # programme code, e.g. "PANGAN"
    start: dt.date | None = None  # received on or after (local date)
    end: dt.date | None = None  # received on or before (local date)
    regency: str | None = None  # regency/city code, e.g. "31.71"

    def cache_part(self) -> str:
        return "|".join(str(v or "") for v in (self.program, self.start, self.end,
                                                self.regency))


@dataclass(frozen=True)
class Share:
    """One slice of the total: its key (a code), its label, rupiah and percent of total."""

    key: str
    label: str
    value: int
    percent: float


@dataclass(frozen=True)
class WeekTotal:
    week_start: dt.date  # the Monday of the ISO week
    value: int


@dataclass(frozen=True)
class Delivered:
    deliveries: int = 0
    packages_delivered: int = 0
    recipients_reached: int = 0
    by_recipient_kind: list[Share] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    total_collected: int
    collaborators: int
    pledges: int
    deliveries: int
    packages_delivered: int
    recipients_reached: int
    by_regency: list[Share]
    by_collaborator_kind: list[Share]
    by_program: list[Share]
    by_item: list[Share]
    by_recipient_kind: list[Share]
    weekly: list[WeekTotal]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO strings): what the API returns and the page embeds."""
        data = dataclasses.asdict(self)
        data["filters"] = {k: (v.isoformat() if isinstance(v, dt.date) else v)
                           for k, v in data["filters"].items()}
        data["weekly"] = [{"week_start": w["week_start"].isoformat(), "value": w["value"]}
                          for w in data["weekly"]]
        return data


# Cache invalidation.

def _generation() -> int:
    return Generation.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def stats_invalidate() -> None:
    """Make every cached dashboard stale (called when pledges or purchases change).

    Inside a transaction the bump commits with the change, so no process can cache old
    figures under the new generation.
    """
    if not Generation.objects.filter(pk=1).update(value=F("value") + 1):
        try:
            with transaction.atomic():
                Generation.objects.create(pk=1, value=1)
        except IntegrityError:  # created meanwhile by another process
            Generation.objects.filter(pk=1).update(value=F("value") + 1)


def _cache_key(filters: Filters) -> str:
    lang = translation.get_language() or settings.LANGUAGE_CODE
    digest = hashlib.sha1(filters.cache_part().encode(), usedforsecurity=False).hexdigest()
    return f"ksbb:stats:dashboard:{_generation()}:{lang}:{digest}"


# Queries.

def _value_expression() -> ExpressionWrapper:
    big = BigIntegerField()
    goods = ExpressionWrapper(F("received_quantity") * F("item__value_rupiah"),
                              output_field=big)
    return ExpressionWrapper(
        Coalesce(F("received_amount"), Value(0), output_field=big)
        + Coalesce(goods, Value(0), output_field=big),
        output_field=big)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min),
                               timezone.get_default_timezone())


def collected_pledges(filters: Filters) -> QuerySet[Pledge]:
    """Received pledges (and later states) matching the filters, annotated with ``value``
    (rupiah) and ``regency`` (of the preferred area, else the collaborator's area)."""
    # No ordering: every query on this is an aggregate.
    qs = Pledge.objects.filter(state__in=COLLECTED_STATES).order_by().annotate(
        value=_value_expression(),
        regency=Substr(Coalesce(F("preferred_area_id"), F("collaborator__area_id"),
                                output_field=CharField()), 1, REGENCY_CODE_LENGTH),
    )
    if filters.program:
        qs = qs.filter(program__code=filters.program)
    if filters.regency:
        qs = qs.filter(regency=filters.regency)
    if filters.start:
        qs = qs.filter(received_at__gte=_local_midnight(filters.start))
    if filters.end:
        qs = qs.filter(received_at__lt=_local_midnight(filters.end + dt.timedelta(days=1)))
    return qs


def _shares(rows: list[tuple[str, str, int]], total: int) -> list[Share]:
    """Merge rows with the same key, drop zeros, largest first, percent of ``total``."""
    merged: dict[str, tuple[str, int]] = {}
    for key, label, value in rows:
        old = merged.get(key, (label, 0))
        merged[key] = (old[0], old[1] + int(value or 0))
    shares = [Share(key, label, value, round(value * 100 / total, 1) if total else 0.0)
              for key, (label, value) in merged.items() if value]
    return sorted(shares, key=lambda s: (-s.value, s.key))


def _by_regency(qs: QuerySet[Pledge], total: int) -> list[Share]:
    rows = list(qs.values("regency").annotate(  # type: ignore[misc]  # annotated above
        v=Sum("value")).values_list("regency", "v"))
    codes = [c for c, _v in rows if c and len(c) == REGENCY_CODE_LENGTH]
    names = dict(Area.objects.filter(code__in=codes, level=Area.Level.REGENCY)
                 .values_list("code", "name"))
    unknown = _("unknown")
    return _shares([(c, names[c], v) if c in names else (UNKNOWN, unknown, v)
                    for c, v in rows], total)


def _by_collaborator_kind(qs: QuerySet[Pledge], total: int) -> list[Share]:
    field_name = "collaborator__collaborator_profile__collaborator_kind"
    rows = qs.values(field_name).annotate(v=Sum("value")).values_list(field_name, "v")
    labels = dict(CollaboratorKind.choices)
    return _shares([(k, str(labels[k]), v) if k in labels else (UNKNOWN, _("unknown"), v)
                    for k, v in rows], total)


def _by_program(qs: QuerySet[Pledge], total: int) -> list[Share]:
    rows = qs.values("program__code", "program__name").annotate(v=Sum("value")).values_list(
        "program__code", "program__name", "v")
    return _shares([(code, name, v) for code, name, v in rows], total)


def _by_item(qs: QuerySet[Pledge], total: int) -> list[Share]:
    """Goods pledges by their item; money by the items bought with it (purchases), and
    what is not spent yet as one more slice."""
    goods = qs.filter(kind=Pledge.Kind.GOODS).values("item_id", "item__name").annotate(
        v=Sum("value")).values_list("item_id", "item__name", "v")
    bought = PurchaseFunding.objects.filter(pledge__in=qs.values("pk")).values(
        "purchase__item_id", "purchase__item__name").annotate(
        v=Sum("amount_rupiah")).values_list("purchase__item_id", "purchase__item__name", "v")
    money = qs.filter(kind=Pledge.Kind.MONEY).aggregate(v=Sum("value"))["v"] or 0
    rows = [(str(pk), name, v) for pk, name, v in goods]
    spent = 0
    for pk, name, v in bought:
        rows.append((str(pk), name, v))
        spent += v
    rows.append((MONEY_UNSPENT, _("money not yet spent on goods"), money - spent))
    return _shares(rows, total)


def _weekly(qs: QuerySet[Pledge]) -> list[WeekTotal]:
    """Totals per ISO week (Monday, local time); weeks without pledges show 0.

    The week boundaries are computed here (time-zone aware, DST-safe) and each pledge is put
    in its week by one CASE in SQL: SQLite would otherwise convert every row's time zone in
    Python (TruncWeek), some ten times slower on 100,000 pledges.
    """
    bounds = qs.aggregate(first=Min("received_at"), last=Max("received_at"))
    if bounds["first"] is None:
        return []
    tz = timezone.get_default_timezone()
    first_day = timezone.localtime(bounds["first"], tz).date()
    last_day = timezone.localtime(bounds["last"], tz).date()
    first = first_day - dt.timedelta(days=first_day.weekday())
    count = (last_day - first).days // 7 + 1
    mondays = [first + dt.timedelta(weeks=n) for n in range(count)]
    totals: dict[int, int] = {}
    if count == 1:
        totals[0] = int(qs.aggregate(v=Sum("value"))["v"] or 0)
    elif count <= MAX_CASE_WEEKS:
        week = Case(*[When(received_at__lt=_local_midnight(monday), then=Value(n - 1))
                      for n, monday in enumerate(mondays[1:], start=1)],
                    default=Value(count - 1), output_field=IntegerField())
        for n, value in qs.annotate(week=week).values("week").annotate(
                v=Sum("value")).values_list("week", "v"):
            totals[n] = totals.get(n, 0) + int(value or 0)
    else:  # decades of data: let the database truncate
        for day, value in qs.annotate(week=TruncWeek("received_at", tzinfo=tz)).values(
                "week").annotate(v=Sum("value")).values_list("week", "v"):
            n = ((day.date() if isinstance(day, dt.datetime) else day) - first).days // 7
            totals[n] = totals.get(n, 0) + int(value or 0)
    return [WeekTotal(monday, totals.get(n, 0)) for n, monday in enumerate(mondays)]


def _delivered(filters: Filters) -> Delivered:
    """Deliveries handed over, packages delivered, recipients reached, share by recipient kind.

    What counts is the latest signed BAST of each delivery (a signed correction replaces
    the one it supersedes), dated by the BAST and placed by the recipient's area. Packages
    are quantities of items counted in packages (unit "paket"); the share by recipient
    kind is in rupiah at the items' values, like the other shares.
    """
    from django.db.models import Exists, OuterRef

    from ksbb.distribution.models import Handover, HandoverLine
    from ksbb.donations.models import Item
    from ksbb.needs.models import Recipient

    corrected = Handover.objects.filter(supersedes=OuterRef("handover"),
                                        state=Handover.State.SIGNED)
    lines = HandoverLine.objects.filter(handover__state=Handover.State.SIGNED).filter(
        ~Exists(corrected))
    if filters.program:
        lines = lines.filter(handover__program__code=filters.program)
    if filters.start:
        lines = lines.filter(handover__date__gte=filters.start)
    if filters.end:
        lines = lines.filter(handover__date__lte=filters.end)
    if filters.regency:
        lines = lines.filter(
            handover__delivery__recipient__area__code__startswith=f"{filters.regency}.")
    # One grouped query: a delivery, and a recipient, has exactly one recipient kind, so
    # distinct counts per kind add up to the distinct totals.
    rows = list(lines.values("handover__delivery__recipient__kind").annotate(
        packages=Sum(Case(When(item__unit=Item.Unit.PAKET, then=F("quantity")), default=0,
                          output_field=IntegerField())),
        deliveries=Count("handover__delivery", distinct=True),
        recipients=Count("handover__delivery__recipient", distinct=True),
        value=Sum(F("quantity") * F("item__value_rupiah")),
    ).values_list("handover__delivery__recipient__kind", "packages", "deliveries",
                  "recipients", "value"))
    kinds = dict(Recipient.Kind.choices)
    total_value = sum(int(r[4] or 0) for r in rows)
    return Delivered(
        deliveries=sum(r[2] for r in rows),
        packages_delivered=sum(int(r[1] or 0) for r in rows),
        recipients_reached=sum(r[3] for r in rows),
        by_recipient_kind=_shares([(k, str(kinds.get(k, k)), int(v or 0))
                                   for k, _p, _d, _r, v in rows], total_value),
    )


def _compute(filters: Filters) -> Dashboard:
    qs = collected_pledges(filters)
    head = qs.aggregate(total=Sum("value"), collaborators=Count("collaborator", distinct=True),
                        pledges=Count("pk"))
    total = int(head["total"] or 0)
    delivered = _delivered(filters)
    return Dashboard(
        filters=filters,
        total_collected=total,
        collaborators=head["collaborators"],
        pledges=head["pledges"],
        deliveries=delivered.deliveries,
        packages_delivered=delivered.packages_delivered,
        recipients_reached=delivered.recipients_reached,
        by_regency=_by_regency(qs, total),
        by_collaborator_kind=_by_collaborator_kind(qs, total),
        by_program=_by_program(qs, total),
        by_item=_by_item(qs, total),
        by_recipient_kind=delivered.by_recipient_kind,
        weekly=_weekly(qs),
    )


def dashboard(filters: Filters | None = None, *, use_cache: bool = True) -> Dashboard:
    """The dashboard's figures for ``filters``, from the cache while nothing changed."""
    filters = filters or Filters()
    if not use_cache:
        return _compute(filters)
    key = _cache_key(filters)
    result = cache.get(key)
    if result is None:
        # One computation at a time per process: when the cache is cold, the threads of a
        # busy worker would otherwise all compute the same seconds-long figures at once.
        with _COMPUTE_LOCK:
            result = cache.get(key)
            if result is None:
                result = _compute(filters)
                cache.set(key, result, CACHE_SECONDS)
    return result
