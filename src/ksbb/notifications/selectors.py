"""Reads: a person's own notifications, and who is to be told about what."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ksbb.accounts.models import Membership, Role, User
from ksbb.core import areacodes
from ksbb.core.domain import is_user
from ksbb.notifications.models import Notification


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The person's own notifications, newest first; nobody else's, ever."""
    if not is_user(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    if not is_user(user):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# Who is told.

def _members(q: Q) -> QuerySet[User]:
    memberships = Membership.objects.filter(q, is_active=True).filter(
        Q(organization__isnull=True) | Q(organization__is_active=True))
    return User.objects.filter(is_active=True, memberships__in=memberships).distinct()


def staff_of(organization_id: int | None, role: str) -> QuerySet[User]:
    """The active members of an organisation in one role (its aggregator staff, ...)."""
    if organization_id is None:
        return User.objects.none()
    return _members(Q(organization_id=organization_id, role=role))


def donors_of(collaborator_id: int) -> QuerySet[User]:
    """The people of a collaborator (donor) organisation."""
    return staff_of(collaborator_id, Role.COLLABORATOR)


def destination_parties(recipient: Any) -> QuerySet[User]:
    """Those who confirm aid at a recipient: its representative (the ketua RW) and the
    kelurahan officers of its village."""
    village = areacodes.village_of(recipient.area_id)
    where = Q(role=Role.RECIPIENT_REPRESENTATIVE, recipient_id=recipient.pk)
    if village:
        where |= Q(role=Role.KELURAHAN_OFFICER, villages__code=village)
    return _members(where)
