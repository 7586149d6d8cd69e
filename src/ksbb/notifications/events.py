"""Who is told what, per event: one function per moment a domain service reaches, called
inside that service's transaction (one line there). Each picks the recipients, the values
of the text and the link, and hands them to :func:`ksbb.notifications.services.notify`.

* pledge submitted (pledge_submit): pledge_new, the aggregator's staff
* pledge received (pledge_receive): pledge_received, the donor (the collaborator's people)
* pledge allocated (pledge_mark_allocated): pledge_allocated, the donor
* delivery scheduled (delivery_schedule): delivery_assigned, the executor's staff
* delivery dispatched (delivery_dispatch): delivery_dispatched, the ketua RW and the
  kelurahan officers of the destination
* delivery delivered (delivery_deliver): pledge_delivered, the donors whose aid it carries
* BAST drafted (handover_create): handover_waiting, the ketua RW and kelurahan officers
* BAST signed (_sign): pledge_signed, the donors, with the BAST's verification link
* report triaged (report_triage): report_assigned, the assigned officer
* report due (``ksbb notifications due``, daily): report_due, the assigned officer

Whoever acted is never told about their own act.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ksbb.accounts.models import Role, User
from ksbb.allocation.models import Allocation
from ksbb.core.domain import Actor
from ksbb.donations.models import Pledge
from ksbb.notifications.models import Kind, Notification
from ksbb.notifications.selectors import destination_parties, donors_of, staff_of
from ksbb.notifications.services import notify
from ksbb.reports.models import MisuseReport


def _rupiah(amount: int | None) -> str:
    # Indonesian grouping in both languages: the figure reads the same on a receipt.
    return "Rp " + f"{amount or 0:,}".replace(",", ".")


def _what(pledge: Any, received: bool = False) -> str:
    if pledge.kind == "goods":
        quantity = pledge.received_quantity if received else pledge.quantity
        return f"{quantity or 0:,}".replace(",", ".") + f" × {pledge.item.name}"
    return _rupiah(pledge.received_amount if received else pledge.amount_rupiah)


def _pledge_context(pledge: Any, received: bool = False) -> dict[str, Any]:
    return {"pledge": pledge.pk, "collaborator": pledge.collaborator.name,
            "aggregator": pledge.aggregator.name, "what": _what(pledge, received)}


def pledge_submitted(*, pledge: Any, by: Actor) -> list[Notification]:
    return notify(kind=Kind.PLEDGE_NEW, by=by, context=_pledge_context(pledge),
                  recipients=staff_of(pledge.aggregator_id, Role.AGGREGATOR_STAFF),
                  link=reverse("donations:inbox"))


def pledge_received(*, pledge: Any, by: Actor) -> list[Notification]:
    return notify(kind=Kind.PLEDGE_RECEIVED, by=by,
                  context=_pledge_context(pledge, received=True),
                  recipients=donors_of(pledge.collaborator_id),
                  link=reverse("donations:pledge", args=[pledge.pk]))


def pledge_allocated(*, pledge: Any, by: Actor) -> list[Notification]:
    return notify(kind=Kind.PLEDGE_ALLOCATED, by=by,
                  context=_pledge_context(pledge, received=True),
                  recipients=donors_of(pledge.collaborator_id),
                  link=reverse("donations:pledge", args=[pledge.pk]))


def _delivery_context(delivery: Any) -> dict[str, Any]:
    return {"delivery": delivery.pk, "recipient": delivery.recipient.name,
            "executor": delivery.executor.name, "program": delivery.program.name,
            "date": delivery.scheduled_for.isoformat()
            if isinstance(delivery.scheduled_for, dt.date) else str(delivery.scheduled_for)}


def delivery_scheduled(*, delivery: Any, by: Actor) -> list[Notification]:
    return notify(kind=Kind.DELIVERY_ASSIGNED, by=by, context=_delivery_context(delivery),
                  recipients=staff_of(delivery.executor_id, Role.EXECUTOR_STAFF),
                  link=reverse("field:delivery", args=[delivery.pk]))


def delivery_dispatched(*, delivery: Any, by: Actor) -> list[Notification]:
    return notify(kind=Kind.DELIVERY_DISPATCHED, by=by, context=_delivery_context(delivery),
                  recipients=destination_parties(delivery.recipient),
                  link=reverse("field:delivery", args=[delivery.pk]))


def _pledges_behind(allocation_ids: Iterable[int]) -> list[Any]:
    """The pledges whose aid the allocations carry: directly, or through the purchases
    their money paid for."""
    rows = list(Allocation.objects.filter(pk__in=list(allocation_ids))
                .values_list("pledge_id", "purchase_id"))
    direct = {p for p, _ in rows if p is not None}
    purchases = {p for _, p in rows if p is not None}
    return list(Pledge.objects.filter(Q(pk__in=direct) | Q(fundings__purchase_id__in=purchases))
                .select_related("collaborator", "aggregator", "item").distinct().order_by("pk"))


def _donors_told(*, kind: str, pledges: list[Any], by: Actor, extra: dict[str, Any],
                 link: str | None = None) -> list[Notification]:
    told: list[Notification] = []
    for pledge in pledges:
        context = {**_pledge_context(pledge, received=True), **extra}
        told += notify(kind=kind, by=by, context=context,
                       recipients=donors_of(pledge.collaborator_id),
                       link=link or reverse("donations:pledge", args=[pledge.pk]))
    return told


def delivery_delivered(*, delivery: Any, by: Actor) -> list[Notification]:
    pledges = _pledges_behind(delivery.lines.values_list("allocation_id", flat=True))
    return _donors_told(kind=Kind.PLEDGE_DELIVERED, pledges=pledges, by=by,
                        extra={"delivery": delivery.pk, "recipient": delivery.recipient.name})


def handover_created(*, handover: Any, by: Actor) -> list[Notification]:
    delivery = handover.delivery
    return notify(kind=Kind.HANDOVER_WAITING, by=by,
                  context={"number": handover.number, "recipient": delivery.recipient.name,
                           "executor": delivery.executor.name},
                  recipients=destination_parties(delivery.recipient),
                  link=reverse("field:handover", args=[handover.pk]))


def handover_signed(*, handover: Any, by: Actor) -> list[Notification]:
    pledges = _pledges_behind(
        handover.lines.values_list("delivery_line__allocation_id", flat=True))
    return _donors_told(kind=Kind.PLEDGE_SIGNED, pledges=pledges, by=by,
                        extra={"number": handover.number,
                               "recipient": handover.delivery.recipient.name},
                        link=reverse("web:verify", args=[handover.code]))


def _report_context(report: Any) -> dict[str, Any]:
    return {"report": report.pk, "code": report.code, "due": report.due_date.isoformat()}


def report_assigned(*, report: Any, by: Actor) -> list[Notification]:
    users = [report.assigned_to] if isinstance(report.assigned_to, User) else []
    return notify(kind=Kind.REPORT_ASSIGNED, by=by, context=_report_context(report),
                  recipients=users, link=reverse("backoffice:report", args=[report.pk]))


def report_due(*, report: Any, by: Actor, on: dt.date) -> list[Notification]:
    users = [report.assigned_to] if isinstance(report.assigned_to, User) else []
    # ``on``: the day of the reminder, so that one day's runs remind once.
    return notify(kind=Kind.REPORT_DUE, by=by,
                  context={**_report_context(report), "on": on.isoformat()},
                  recipients=users, link=reverse("backoffice:report", args=[report.pk]))


def reports_remind_due(*, by: Actor, today: dt.date | None = None,
                       days_ahead: int = 1) -> int:
    """Remind the assigned officers of the open reports due within ``days_ahead`` days or
    overdue: once a day each (``ksbb notifications due``, daily from cron). Returns how
    many were reminded."""
    today = today or timezone.localdate()
    told_today = set(Notification.objects.filter(
        kind=Kind.REPORT_DUE, params__on=today.isoformat()).values_list(
        "recipient_id", "params__report"))
    reminded = 0
    for report in (MisuseReport.objects.filter(
            state__in=[MisuseReport.State.TRIAGED, MisuseReport.State.UNDER_INVESTIGATION],
            assigned_to__isnull=False, due_date__lte=today + dt.timedelta(days=days_ahead))
            .select_related("assigned_to").order_by("due_date", "pk")):
        if (report.assigned_to_id, report.pk) in told_today:
            continue
        with transaction.atomic():
            reminded += len(report_due(report=report, by=by, on=today))
    return reminded
