"""E-mail: sent only after the event commits, from the task worker; nothing at all when
the event rolls back; a person's opt-out honoured (the inbox still tells them); failures
kept, tried again with a growing delay, then visible to the administrator and retried."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ksbb.core.domain import SystemActor
from ksbb.donations.services import pledge_receive, pledge_submit
from ksbb.notifications.models import Kind, Notification
from ksbb.notifications.services import (
    notification_email_send,
    notifications_retry,
    retry_delay,
    settings_update,
)
from tests.donations.conftest import setup_donations

FAILURES: list[str] = []


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages: Any) -> int:
        FAILURES.append("refused")
        raise ConnectionRefusedError("mail server down")


def _submitted(cast: Any) -> Any:
    don = setup_donations(cast)
    return pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                         item=don.sembako, quantity=10, by=cast.collaborator)


def _receive(cast: Any, pledge: Any) -> Any:
    return pledge_receive(pledge=pledge, received_quantity=10, by=cast.aggregator)


def test_sent_after_commit_from_the_worker(mailed, immediate, capture) -> None:  # type: ignore[no-untyped-def]
    pledge = _submitted(mailed)
    mail.outbox.clear()
    with capture(execute=True) as callbacks:
        _receive(mailed, pledge)
        assert mail.outbox == [], "nothing leaves before the commit"
    assert callbacks
    (message,) = mail.outbox
    assert message.to == ["collaborator@example.com"]
    # Indonesian unless the person chose otherwise; an absolute link in both parts.
    assert message.subject == "KSBB: Donasi Anda telah diterima oleh BAZNAS DKI"
    link = f"http://127.0.0.1:8000{reverse('donations:pledge', args=[pledge.pk])}"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html
    assert "/notifications/preferences/" in message.body
    n = Notification.objects.get(kind=Kind.PLEDGE_RECEIVED)
    assert n.email_state == Notification.EmailState.SENT and n.email_attempts == 1


def test_english_when_chosen(mailed, immediate, capture) -> None:  # type: ignore[no-untyped-def]
    settings_update(by=mailed.collaborator, language="en", email_off=[])
    pledge = _submitted(mailed)
    mail.outbox.clear()
    with capture(execute=True):
        _receive(mailed, pledge)
    (message,) = mail.outbox
    assert message.subject == "KSBB: Your pledge was received by BAZNAS DKI"


def test_rollback_sends_nothing_and_leaves_no_row(mailed, immediate, capture) -> None:  # type: ignore[no-untyped-def]
    pledge = _submitted(mailed)
    before = Notification.objects.count()
    mail.outbox.clear()
    with capture(execute=True) as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        _receive(mailed, pledge)
        assert Notification.objects.count() == before + 1
        raise RuntimeError("something later in the same transaction failed")
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.count() == before


def test_rollback_queues_no_task(mailed, capture) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    pledge = _submitted(mailed)
    queued = DBTaskResult.objects.count()
    with capture(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _receive(mailed, pledge)
        raise RuntimeError
    assert DBTaskResult.objects.count() == queued
    # Committed, the same step queues one e-mail task for the worker (the request does not
    # wait for the mail server).
    with capture(execute=True):
        _receive(mailed, pledge)
    assert DBTaskResult.objects.count() == queued + 1


def test_opt_out_honoured_inbox_still_written(mailed, immediate, capture) -> None:  # type: ignore[no-untyped-def]
    settings_update(by=mailed.collaborator, language="id", email_off=[Kind.PLEDGE_RECEIVED])
    pledge = _submitted(mailed)
    mail.outbox.clear()
    with capture(execute=True):
        _receive(mailed, pledge)
    assert mail.outbox == []
    n = Notification.objects.get(kind=Kind.PLEDGE_RECEIVED, recipient=mailed.collaborator)
    assert n.email_state == Notification.EmailState.SKIPPED and n.read_at is None
    # Only that kind is off: the aggregator's new-pledge e-mail still goes.
    settings_update(by=mailed.aggregator, language="en", email_off=[Kind.PLEDGE_RECEIVED])
    with capture(execute=True):
        pledge_submit(
            collaborator=mailed.collaborator_org, aggregator=mailed.aggregator_org,
            item=pledge.item, quantity=3, by=mailed.collaborator)
    assert [m.to for m in mail.outbox] == [["aggregator@example.com"]]


def test_opt_out_after_the_event_is_honoured_at_sending(mailed, capture) -> None:  # type: ignore[no-untyped-def]
    pledge = _submitted(mailed)
    with capture(execute=False):
        _receive(mailed, pledge)
    n = Notification.objects.get(kind=Kind.PLEDGE_RECEIVED)
    assert n.email_state == Notification.EmailState.PENDING
    settings_update(by=mailed.collaborator, language="id", email_off=[Kind.PLEDGE_RECEIVED])
    mail.outbox.clear()
    n = notification_email_send(notification_id=n.pk)
    assert n is not None and n.email_state == Notification.EmailState.SKIPPED
    assert mail.outbox == []


def test_no_address_no_email(cast, immediate, capture) -> None:  # type: ignore[no-untyped-def]
    pledge = _submitted(cast)
    with capture(execute=True):
        _receive(cast, pledge)
    n = Notification.objects.get(kind=Kind.PLEDGE_RECEIVED)
    assert n.email_state == Notification.EmailState.SKIPPED


def test_failure_retried_later_then_failed_then_retried_by_hand(
        mailed, settings, capture, client_for) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "tests.notifications.test_email.FailingBackend"
    settings.KSBB_NOTIFICATION_ATTEMPTS = 3
    pledge = _submitted(mailed)
    with capture(execute=True):
        _receive(mailed, pledge)
    n = Notification.objects.get(kind=Kind.PLEDGE_RECEIVED)
    queued = DBTaskResult.objects.filter(status="READY").count()
    # The worker's first attempt fails: kept pending, tried again later (not at once).
    started = timezone.now()
    n = notification_email_send(notification_id=n.pk)
    assert n is not None
    assert (n.email_state, n.email_attempts) == (Notification.EmailState.PENDING, 1)
    assert "ConnectionRefusedError: mail server down" in n.email_last_error
    later = DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at").first()
    assert DBTaskResult.objects.filter(status="READY").count() == queued + 1
    assert later is not None and later.run_after is not None
    assert later.run_after >= started + retry_delay(1)
    notification_email_send(notification_id=n.pk)
    n = notification_email_send(notification_id=n.pk)
    assert n is not None
    assert (n.email_state, n.email_attempts) == (Notification.EmailState.FAILED, 3)
    # Another run of an old task changes nothing (one attempt is claimed once).
    assert notification_email_send(notification_id=n.pk).email_attempts == 3  # type: ignore[union-attr]

    # Visible to the administrator: the admin list filtered on failed, with the error.
    page = client_for(mailed.admin).get(
        reverse("admin:notifications_notification_changelist") + "?email_state__exact=failed")
    assert page.status_code == 200
    assert "mail server down" in page.content.decode()

    # The mail server is back: `ksbb notifications retry` queues it again, it goes.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    mail.outbox.clear()
    with capture(execute=True):
        call_command("notifications", "retry")
    n.refresh_from_db()
    assert n.email_state == Notification.EmailState.SENT
    assert [m.to for m in mail.outbox] == [["collaborator@example.com"]]


def test_without_deferred_tasks_a_failure_is_failed_at_once(
        mailed, immediate, settings, capture) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.notifications.test_email.FailingBackend"
    pledge = _submitted(mailed)
    with capture(execute=True):
        _receive(mailed, pledge)  # the event itself commits whatever the mail server does
    pledge.refresh_from_db()
    assert pledge.state == "received"
    n = Notification.objects.get(kind=Kind.PLEDGE_RECEIVED)
    assert n.email_state == Notification.EmailState.FAILED and n.email_attempts == 1
    # The admin action queues it again.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with capture(execute=True):
        assert notifications_retry(by=SystemActor("test"), ids=[n.pk]) == 1
    n.refresh_from_db()
    assert n.email_state == Notification.EmailState.SENT


def test_a_line_break_in_a_name_stays_out_of_the_subject(mailed) -> None:  # type: ignore[no-untyped-def]
    from ksbb.notifications.services import email_message, notify

    (n,) = notify(kind=Kind.PLEDGE_NEW, recipients=[mailed.aggregator], by=SystemActor("t"),
                  context={"collaborator": "PT Baris\nBcc: x@example.com", "what": "1",
                           "aggregator": "A"})
    message = email_message(n, "en")
    assert message.subject == "KSBB: New pledge from PT Baris Bcc: x@example.com"
    message.message()  # builds without a header error
