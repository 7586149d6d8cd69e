"""Background task: one e-mail of a notification (django-tasks; the database backend in
production, so a request never waits for the mail server)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def notification_email_task(notification_id: int) -> dict[str, Any]:
    from ksbb.notifications.services import notification_email_send

    n = notification_email_send(notification_id=notification_id)
    return {"notification": notification_id,
            "state": n.email_state if n is not None else None}
