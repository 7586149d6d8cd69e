"""Who is told what: each event of the flow, the people it concerns and nobody else (never
the one who acted, never another organisation's people), with a link to the right page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ksbb.core.domain import SystemActor
from ksbb.core.links import absolute_url
from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
from ksbb.donations.services import pledge_mark_allocated, pledge_receive, pledge_submit
from ksbb.notifications.events import reports_remind_due
from ksbb.notifications.models import Kind, Notification
from ksbb.notifications.texts import render
from ksbb.reports.services import report_submit, report_triage
from tests.conftest import VILLAGE_A
from tests.distribution.conftest import draft_for, make_allocation, sign_all
from tests.donations.conftest import setup_donations

# Each step returns the path the notification must link to.
Step = Callable[[Any], str]


def _pledge_new(cast: Any) -> str:
    don = setup_donations(cast)
    pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                  item=don.sembako, quantity=10, by=cast.collaborator)
    return reverse("donations:inbox")


def _received(cast: Any) -> Any:
    don = setup_donations(cast)
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           item=don.sembako, quantity=10, by=cast.collaborator)
    return pledge_receive(pledge=pledge, received_quantity=8, by=cast.aggregator)


def _pledge_received(cast: Any) -> str:
    return reverse("donations:pledge", args=[_received(cast).pk])


def _pledge_allocated(cast: Any) -> str:
    pledge = pledge_mark_allocated(pledge=_received(cast), by=SystemActor("allocation"))
    return reverse("donations:pledge", args=[pledge.pk])


def _scheduled(cast: Any) -> Any:
    don = setup_donations(cast)
    return delivery_schedule(allocations=[make_allocation(cast, don)],
                             executor=cast.executor_org, scheduled_for=timezone.localdate(),
                             by=cast.aggregator)


def _delivery_assigned(cast: Any) -> str:
    return reverse("field:delivery", args=[_scheduled(cast).pk])


def _delivery_dispatched(cast: Any) -> str:
    delivery = delivery_dispatch(delivery=_scheduled(cast), by=cast.executor)
    return reverse("field:delivery", args=[delivery.pk])


def _delivered(cast: Any) -> Any:
    delivery = delivery_dispatch(delivery=_scheduled(cast), by=cast.executor)
    return delivery_deliver(delivery=delivery, by=cast.executor)


def _pledge_delivered(cast: Any) -> str:
    pledge = _delivered(cast).lines.get().allocation.pledge
    return reverse("donations:pledge", args=[pledge.pk])


def _handover_waiting(cast: Any) -> str:
    return reverse("field:handover", args=[draft_for(_delivered(cast), cast.executor).pk])


def _pledge_signed(cast: Any) -> str:
    signed = sign_all(cast, draft_for(_delivered(cast), cast.executor))
    return reverse("web:verify", args=[signed.code])


def _triaged(cast: Any) -> Any:
    from ksbb.areas.models import Area

    report = report_submit(category="aid_sold", area=Area.objects.get(code=f"{VILLAGE_A}.001"),
                           description="Paket dijual", by=None)
    return report_triage(report=report, assigned_to=cast.kelurahan, priority="high",
                         by=cast.assessor)


def _report_assigned(cast: Any) -> str:
    return reverse("backoffice:report", args=[_triaged(cast).pk])


def _report_due(cast: Any) -> str:
    report = _triaged(cast)
    reports_remind_due(by=SystemActor("notifications due"), today=report.due_date)
    return reverse("backoffice:report", args=[report.pk])


CASES: list[tuple[str, Step, set[str]]] = [
    (Kind.PLEDGE_NEW, _pledge_new, {"aggregator"}),
    (Kind.PLEDGE_RECEIVED, _pledge_received, {"collaborator"}),
    (Kind.PLEDGE_ALLOCATED, _pledge_allocated, {"collaborator"}),
    (Kind.DELIVERY_ASSIGNED, _delivery_assigned, {"executor"}),
    (Kind.DELIVERY_DISPATCHED, _delivery_dispatched, {"ketua_rw", "kelurahan"}),
    (Kind.PLEDGE_DELIVERED, _pledge_delivered, {"collaborator"}),
    (Kind.HANDOVER_WAITING, _handover_waiting, {"ketua_rw", "kelurahan"}),
    (Kind.PLEDGE_SIGNED, _pledge_signed, {"collaborator"}),
    (Kind.REPORT_ASSIGNED, _report_assigned, {"kelurahan"}),
    (Kind.REPORT_DUE, _report_due, {"kelurahan"}),
]


@pytest.mark.parametrize(("kind", "step", "told"), CASES, ids=[c[0] for c in CASES])
def test_who_gets_what(cast, kind: str, step: Step, told: set[str]) -> None:  # type: ignore[no-untyped-def]
    path = step(cast)
    rows = list(Notification.objects.filter(kind=kind).select_related("recipient"))
    assert {n.recipient.username for n in rows} == told
    assert len(rows) == len(told), "one notification per person and event"
    for n in rows:
        assert n.link == absolute_url(path)
        assert n.link.startswith(("http://", "https://"))
        text = render(n.kind, n.params, "en")
        assert text.subject and text.body and "%(" not in text.body
        indonesian = render(n.kind, n.params, "id")
        assert indonesian.subject != text.subject, "the Indonesian text exists"


def test_every_kind_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(Kind.values)


def test_the_actor_is_not_told_about_their_own_act(cast) -> None:  # type: ignore[no-untyped-def]
    # The ketua RW and the officer confirm the BAST; they are told it waits for them, but
    # the executor who wrote it is not, and nobody is told by their own confirmation.
    _pledge_signed(cast)
    assert not Notification.objects.filter(recipient=cast.executor,
                                            kind=Kind.HANDOVER_WAITING).exists()
    assert not Notification.objects.filter(recipient=cast.outsider).exists()
    assert not Notification.objects.filter(recipient=cast.admin).exists()


def test_the_signed_notice_carries_the_bast_number(cast) -> None:  # type: ignore[no-untyped-def]
    path = _pledge_signed(cast)
    n = Notification.objects.get(kind=Kind.PLEDGE_SIGNED)
    assert n.params["number"] and n.params["number"] in render(n.kind, n.params, "en").subject
    assert path.startswith("/verify/")


def test_due_reminders_once_a_day_and_only_when_due(cast) -> None:  # type: ignore[no-untyped-def]
    report = _triaged(cast)
    actor = SystemActor("notifications due")
    early = report.due_date - dt.timedelta(days=3)
    assert reports_remind_due(by=actor, today=early) == 0
    assert reports_remind_due(by=actor, today=report.due_date) == 1
    # Run again the same day (cron twice, a retry): nobody is told twice.
    assert reports_remind_due(by=actor, today=report.due_date) == 0
    assert Notification.objects.filter(kind=Kind.REPORT_DUE).count() == 1


def test_ksbb_up_schedules_one_chain_of_morning_reminders(cast) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from ksbb.notifications.tasks import reports_due_task, schedule_due_reminders

    schedule_due_reminders()
    schedule_due_reminders()  # started again (a second `ksbb up`): still one chain
    (queued,) = DBTaskResult.objects.filter(task_path=reports_due_task.module_path)
    at = timezone.localtime(queued.run_after)
    assert (at.hour, at.minute) == (7, 0) and queued.run_after > timezone.now()
    # The run reminds, then queues the next morning's (the pending one is this run's).
    _triaged(cast)  # due in seven working days: nothing to remind of today
    DBTaskResult.objects.all().delete()
    assert reports_due_task.call() == {"reminded": 0}
    assert DBTaskResult.objects.filter(task_path=reports_due_task.module_path).count() == 1
