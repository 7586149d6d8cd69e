"""The dashboard computed straight from the source tables (pledges, purchases, BASTs): the
definition the rollups must agree with.

It is what ``ksbb.stats.selectors`` computed before the rollups existed (seconds at a million
deliveries). The tests compare the rollup-based dashboard with it, and
:func:`effective_handover_lines` is also what ``ksbb stats_rebuild`` reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.areas.models import Area
from ksbb.distribution.models import Handover, HandoverLine
from ksbb.donations.models import CollaboratorKind, Item, Pledge, PurchaseFunding
from ksbb.needs.models import Recipient
from ksbb.stats import selectors
from ksbb.stats.rollups import recipient_place
from ksbb.stats.selectors import (
    MONEY_UNSPENT,
    REGENCY_CODE_LENGTH,
    UNKNOWN,
    Dashboard,
    Delivered,
    Filters,
    Share,
    WeekTotal,
    _local_midnight,
    _shares,
    collected_pledges,
)


def effective_handover_lines() -> QuerySet:
    """Lines of the BASTs in force: signed, and not replaced by a signed correction."""
    corrected = Handover.objects.filter(supersedes=OuterRef("handover"),
                                        state=Handover.State.SIGNED)
    return HandoverLine.objects.filter(handover__state=Handover.State.SIGNED).filter(
        ~Exists(corrected))


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
    elif count <= selectors.MAX_CASE_WEEKS:
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


def _delivered_lines(filters: Filters) -> QuerySet:
    lines = effective_handover_lines()
    if filters.program:
        lines = lines.filter(handover__program__code=filters.program)
    if filters.start:
        lines = lines.filter(handover__date__gte=filters.start)
    if filters.end:
        lines = lines.filter(handover__date__lte=filters.end)
    if filters.regency:
        lines = lines.filter(
            handover__delivery__recipient__area__code__startswith=f"{filters.regency}.")
    return lines.order_by()


def _where_it_went(filters: Filters) -> dict[str, Any]:
    """Delivered value by the recipient's regency, district and village, by item, and
    packages per week of the BAST."""
    lines = _delivered_lines(filters)
    value = F("quantity") * F("item__value_rupiah")
    places: dict[str, int] = {}
    for area_id, v in lines.values("handover__delivery__recipient__area_id").annotate(
            v=Sum(value)).values_list("handover__delivery__recipient__area_id", "v"):
        place = recipient_place(area_id)
        places[place] = places.get(place, 0) + int(v or 0)
    total = sum(places.values())
    items = [(str(pk), name, int(v or 0)) for pk, name, v in lines.values(
        "item_id", "item__name").annotate(v=Sum(value)).values_list("item_id", "item__name", "v")]
    days = {day: int(q or 0) for day, q in lines.filter(item__unit=Item.Unit.PAKET).values(
        "handover__date").annotate(q=Sum("quantity")).values_list("handover__date", "q")}
    return {
        "delivered_value": total,
        "delivered_by_regency": selectors.place_shares(places, 2, total),
        "delivered_by_district": selectors.place_shares(places, 3, total),
        "delivered_by_village": selectors.place_shares(places, 4, total),
        "delivered_by_item": _shares(items, total),
        "weekly_delivered": selectors._weekly_from_days(days),
    }


def _collaborators_by_kind(qs: QuerySet[Pledge], total: int) -> list[Share]:
    field_name = "collaborator__collaborator_profile__collaborator_kind"
    counts = {k or UNKNOWN: n for k, n in qs.values(field_name).annotate(
        n=Count("collaborator", distinct=True)).values_list(field_name, "n")}
    return selectors.kind_counts(counts, total)


def _delivered(filters: Filters) -> Delivered:
    """Deliveries handed over, packages delivered, recipients reached, share by recipient kind.

    What counts is the latest signed BAST of each delivery (a signed correction replaces
    the one it supersedes), dated by the BAST and placed by the recipient's area. Packages
    are quantities of items counted in packages (unit "paket"); the share by recipient
    kind is in rupiah at the items' values, like the other shares.
    """
    lines = _delivered_lines(filters)
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


def reference_dashboard(filters: Filters) -> Dashboard:
    """The dashboard computed from the source tables, as it was before the rollups."""
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
        collaborators_by_kind=_collaborators_by_kind(qs, head["collaborators"]),
        **_where_it_went(filters),
    )
