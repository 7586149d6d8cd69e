"""Background tasks (django-tasks; the database backend in production, so a request never
waits for the mail server): one e-mail of a notification, and the daily reminders of
misuse reports due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from ksbb.core.domain import SystemActor
from ksbb.notifications.events import reports_remind_due

# The e-mail task lives with its work in services; named here too, where queued rows point.
from ksbb.notifications.services import notification_email_task

# The reminders go out in the morning, local time.
REMIND_AT = dt.time(7, 0)


def _next_morning(now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now)
    at = local.replace(hour=REMIND_AT.hour, minute=REMIND_AT.minute, second=0, microsecond=0)
    return at if at > local else at + dt.timedelta(days=1)


def _next_is_queued() -> bool:
    """With the database backend, is a later run already waiting? One chain of daily runs
    however often ``ksbb up`` starts it."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to look at
        return False
    return DBTaskResult.objects.filter(task_path=reports_due_task.module_path,
                                       status="READY").exists()


def schedule_due_reminders() -> None:
    """Started by ``ksbb up``: the reminders every morning (with a backend that can defer;
    otherwise cron runs ``ksbb notifications due``)."""
    if reports_due_task.get_backend().supports_defer and not _next_is_queued():
        reports_due_task.using(run_after=_next_morning()).enqueue()


@task()
def reports_due_task() -> dict[str, Any]:
    reminded = reports_remind_due(by=SystemActor("notifications due"))
    if reports_due_task.get_backend().supports_defer and not _next_is_queued():
        reports_due_task.using(run_after=_next_morning()).enqueue()
    return {"reminded": reminded}


__all__ = ["notification_email_task", "reports_due_task", "schedule_due_reminders"]
