"""Writes for notifications: telling people (``notify``), sending the e-mail (from the task
worker), marking read, and a person's choices.

``notify`` runs inside the transaction of the event it tells about: the inbox rows are
written with the event, and the e-mails are handed to the task worker only once that
transaction commits (``transaction.on_commit``). A rolled-back event therefore leaves no
row and sends nothing, and no request waits for the mail server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from ksbb.accounts.models import User
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, Invisible, NotAllowed, is_user
from ksbb.core.links import absolute_url
from ksbb.notifications.models import Kind, Notification, NotificationSettings
from ksbb.notifications.texts import render

logger = logging.getLogger(__name__)

PENDING = Notification.EmailState.PENDING
# A notification still pending this long after it was written lost its task (a worker
# stopped mid-way, the queue was emptied): ``notifications_retry`` queues it again.
STUCK_AFTER = timedelta(hours=1)


def max_attempts() -> int:
    return int(getattr(settings, "KSBB_NOTIFICATION_ATTEMPTS", 5))


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: 5, 15, 45, 135 ... minutes."""
    return timedelta(minutes=5 * 3 ** max(attempts - 1, 0))


def settings_of(user: User) -> NotificationSettings:
    """The person's choices, unsaved defaults when they never chose."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def notify(*, kind: str, recipients: Iterable[User], context: dict[str, Any], by: Actor,
           link: str = "") -> list[Notification]:
    """Tell each of ``recipients`` (but not ``by``, who knows already) about an event of
    ``kind``: an inbox row each, and an e-mail unless they turned it off for this kind or
    have no address. ``context`` holds the values the kind's text names (JSON: numbers
    and strings); ``link`` is a path on this site (made absolute for e-mails).

    Call it inside the event's transaction; the e-mails leave after it commits."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    actor_id = by.pk if is_user(by) else None
    users: dict[int, User] = {}
    for user in recipients:
        if user.is_active and user.pk != actor_id:
            users.setdefault(user.pk, user)
    if not users:
        return []
    choices = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=users)}
    url = absolute_url(link) if link.startswith("/") else link
    rows = []
    for pk, user in sorted(users.items()):
        chosen = choices.get(pk)
        wants = bool(user.email) and (chosen is None or chosen.wants_email(kind))
        rows.append(Notification(
            recipient=user, kind=kind, params=dict(context), link=url,
            email_state=PENDING if wants else Notification.EmailState.SKIPPED))
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        ids = [n.pk for n in created if n.email_state == PENDING]
        if ids:
            transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(ids: list[int], delay: timedelta | None = None) -> None:
    task = notification_email_task
    if delay is not None and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    for pk in ids:
        try:
            task.enqueue(pk)
        except Exception:  # the event is committed; the retry command picks the row up
            logger.exception("could not queue the e-mail of notification %s", pk)


def email_message(notification: Notification, language: str) -> EmailMultiAlternatives:
    text = render(notification.kind, notification.params, language)
    context = {"subject": text.subject, "body": text.body, "link": notification.link,
               "language": language,
               "preferences": absolute_url(_preferences_path()),
               "recipient": notification.recipient}
    with translation.override(language):
        # One line: a name typed with a line break must not break the e-mail's header.
        subject = " ".join((_("KSBB: %(subject)s") % {"subject": text.subject}).split())
        plain = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(subject=subject, body=plain,
                                     from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    return message


def _preferences_path() -> str:
    return reverse("notifications:preferences")


def notification_email_send(*, notification_id: int) -> Notification | None:
    """One attempt at the e-mail of a pending notification (the task worker's work).

    The attempt is claimed first (a conditional update), so two workers never send the same
    e-mail; the mail server is spoken to outside any transaction. A failure is kept in
    ``email_last_error``; the e-mail is tried again later (``retry_delay``) up to
    ``KSBB_NOTIFICATION_ATTEMPTS`` times, then it is ``failed`` (admin list, and
    ``ksbb notifications retry``)."""
    n = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if n is None or n.email_state != PENDING:
        return n
    claimed = Notification.objects.filter(
        pk=n.pk, email_state=PENDING, email_attempts=n.email_attempts).update(
        email_attempts=F("email_attempts") + 1)
    if not claimed:
        return n
    n.email_attempts += 1
    chosen = settings_of(n.recipient)
    if not (n.recipient.is_active and n.recipient.email and chosen.wants_email(n.kind)):
        # Turned off (or the address removed) since the event: honoured now too.
        n.email_state = Notification.EmailState.SKIPPED
        n.save(update_fields=["email_state"])
        return n
    try:
        email_message(n, chosen.language).send()
    except Exception as exc:  # any failure of the mail server or the connection
        n.email_last_error = f"{type(exc).__name__}: {exc}"[:2000]
        again = (n.email_attempts < max_attempts()
                 and notification_email_task.get_backend().supports_defer)
        n.email_state = PENDING if again else Notification.EmailState.FAILED
        n.save(update_fields=["email_state", "email_last_error"])
        logger.warning("notification %s: e-mail attempt %s failed: %s", n.pk,
                       n.email_attempts, type(exc).__name__)
        if again:
            _enqueue([n.pk], delay=retry_delay(n.email_attempts))
        return n
    n.email_state = Notification.EmailState.SENT
    n.email_sent_at = timezone.now()
    n.save(update_fields=["email_state", "email_sent_at"])
    return n


# Defined here, next to the work it runs, so that queueing it needs no import of
# ksbb.notifications.tasks (which sits above this module); that module re-exports it, so
# rows queued under its old path still run.
@task()
def notification_email_task(notification_id: int) -> dict[str, Any]:
    n = notification_email_send(notification_id=notification_id)
    return {"notification": notification_id,
            "state": n.email_state if n is not None else None}


def notifications_retry(*, by: Actor, ids: Iterable[int] | None = None,
                        now: Any = None) -> int:
    """Queue again the e-mails that failed, and those pending for over an hour (their task
    was lost), each with a fresh round of attempts. ``ids`` narrows it (the admin's
    selection). Returns how many."""
    now = now or timezone.now()
    qs = Notification.objects.filter(
        Q(email_state=Notification.EmailState.FAILED)
        | Q(email_state=PENDING, created_at__lt=now - STUCK_AFTER))
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    with transaction.atomic():
        picked = list(qs.select_for_update().values_list("pk", flat=True))
        if not picked:
            return 0
        Notification.objects.filter(pk__in=picked).update(email_state=PENDING,
                                                         email_attempts=0)
        audit_log(actor=by, action="notifications.retried",
                  object_type=Notification._meta.label_lower, object_id="retry",
                  after={"count": len(picked), "ids": picked[:100]})
        transaction.on_commit(lambda: _enqueue(picked))
    return len(picked)


def _own(notification: Notification, by: Actor) -> Notification:
    if not is_user(by):
        raise NotAllowed(_("Sign in to see your notifications."))
    if notification.recipient_id != by.pk:
        # Someone else's notification does not exist for this person.
        raise Invisible(_("No such notification."))
    return notification


def notification_mark_read(*, notification: Notification, by: Actor) -> Notification:
    """The recipient read it (again marking changes nothing). Not audited: it changes
    nothing anyone else sees."""
    _own(notification, by)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, by: Actor) -> int:
    if not is_user(by):
        raise NotAllowed(_("Sign in to see your notifications."))
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now())


def settings_update(*, by: Actor, language: str, email_off: Iterable[str]) -> NotificationSettings:
    """The person's own choices: the language of their e-mails, and the kinds they want no
    e-mail for."""
    if not is_user(by):
        raise NotAllowed(_("Sign in to choose your notifications."))
    if language not in dict(settings.LANGUAGES):
        raise Invalid(_("choose a language"), field="language")
    off = sorted(set(email_off))
    unknown = [k for k in off if k not in Kind.values]
    if unknown:
        raise Invalid(_("unknown kind of notification"), field="email_off")
    with transaction.atomic():
        chosen, _created = NotificationSettings.objects.select_for_update().get_or_create(
            user=by)
        before = {"language": chosen.language, "email_off": list(chosen.email_off or [])}
        chosen.language, chosen.email_off = language, off
        chosen.save()
        audit_log(actor=by, action="notifications.settings_changed", obj=chosen,
                  before=before, after={"language": language, "email_off": off})
    return chosen
