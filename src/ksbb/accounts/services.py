"""Writes for organisations and memberships. Each one is audited with its actor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.accounts.models import ROLE_ORGANIZATION_KIND, Membership, Organization, Role, User
from ksbb.areas.models import Area
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid

if TYPE_CHECKING:  # accounts is below needs: the type only, no import at run time
    from ksbb.needs.models import Recipient


def organization_create(
    *, kind: str, name: str, by: Actor | str, area: Area | None = None, is_demo: bool = False
) -> Organization:
    if kind not in Organization.Kind.values:
        raise Invalid({"kind": _("%(kind)r is not an organisation kind") % {"kind": kind}})
    if not name.strip():
        raise Invalid({"name": _("the name is required")})
    with transaction.atomic():
        org = Organization.objects.create(kind=kind, name=name.strip(), area=area,
                                          is_demo=is_demo)
        audit_log(actor=by, action="organization.created", obj=org,
                  after={"kind": kind, "name": org.name, "area": area.code if area else None})
    return org


def user_create(
    *, username: str, password: str | None, by: Actor | str, full_name: str = "", email: str = "",
    is_superuser: bool = False,
) -> User:
    with transaction.atomic():
        user = User(username=username, full_name=full_name, email=email,
                    is_superuser=is_superuser, is_staff=is_superuser)
        if password:
            # Every place that sets a password goes through the configured validators.
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                raise Invalid({"password": exc.messages}) from exc
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        audit_log(actor=by, action="user.created", obj=user,
                  after={"username": username, "superuser": is_superuser})
    return user


def membership_grant(
    *,
    user: User,
    role: str,
    by: Actor | str,
    organization: Organization | None = None,
    villages: Iterable[Area] = (),
    recipient: Recipient | None = None,
) -> Membership:
    """Give ``user`` a role; the role decides which organisation kind and scope it needs."""
    if role not in Role.values:
        raise Invalid({"role": _("%(role)r is not a role") % {"role": role}})
    kind = ROLE_ORGANIZATION_KIND[role]
    if kind is not None and (organization is None or organization.kind != kind):
        raise Invalid({"organization": _(
            "the role %(role)s needs an organisation of kind %(kind)s") % {
                "role": Role(role).label, "kind": Organization.Kind(kind).label}})
    village_list = list(villages)
    if role == Role.KELURAHAN_OFFICER and not village_list:
        raise Invalid({"villages": _("a kelurahan officer needs at least one village")})
    if any(v.level != Area.Level.VILLAGE for v in village_list):
        raise Invalid({"villages": _("only villages (kelurahan/desa) can be chosen")})
    if role == Role.RECIPIENT_REPRESENTATIVE and recipient is None:
        raise Invalid({"recipient": _("a recipient representative needs a recipient")})
    with transaction.atomic():
        membership = Membership.objects.create(user=user, role=role, organization=organization,
                                               recipient=recipient)
        if village_list:
            membership.villages.set(village_list)
        audit_log(actor=by, action="membership.granted", obj=membership, after={
            "user": user.username, "role": role,
            "organization": organization.pk if organization else None,
            "villages": sorted(v.code for v in village_list),
            "recipient": recipient.pk if recipient else None,
        })
    return membership


def membership_revoke(*, membership: Membership, by: Actor | str) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.is_active:
            membership.is_active = False
            membership.save(update_fields=["is_active"])
            audit_log(actor=by, action="membership.revoked", obj=membership,
                      before={"active": True}, after={"active": False})
    return membership


def _user_sessions(user: User) -> list[Session]:
    """The unexpired database sessions signed in as ``user``.

    Sessions are not indexed by user, so each live one is decoded; with the idle timeout
    there are few of them, and this runs only on deactivation and password changes.
    """
    user_id = str(user.pk)
    return [
        s for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == user_id
    ]


def user_sessions_end(*, user: User, by: Actor | str, keep_session_key: str | None = None) -> int:
    """Sign ``user`` out everywhere (but in ``keep_session_key``); returns how many ended."""
    keys = [s.session_key for s in _user_sessions(user) if s.session_key != keep_session_key]
    Session.objects.filter(session_key__in=keys).delete()
    if keys:
        audit_log(actor=by, action="user.sessions_ended", obj=user,
                  after={"sessions": len(keys)})
    return len(keys)


def user_deactivate(*, user: User, by: Actor | str) -> User:
    """Disable the account: no sign-in, its sessions end and its API tokens are revoked."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        was_active = user.is_active
        if was_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        tokens, _ = Token.objects.filter(user=user).delete()
        sessions = [s.session_key for s in _user_sessions(user)]
        Session.objects.filter(session_key__in=sessions).delete()
        audit_log(actor=by, action="user.deactivated", obj=user,
                  before={"active": was_active},
                  after={"active": False, "sessions_ended": len(sessions),
                         "tokens_revoked": tokens})
    return user


def user_password_change(
    *, user: User, password: str, by: Actor | str, keep_session_key: str | None = None
) -> User:
    """Set a new password (validated) and end the user's other sessions.

    ``keep_session_key``: the session the change was made from, which stays signed in
    (the caller updates its session hash with ``update_session_auth_hash``).
    """
    password_validation.validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_log(actor=by, action="user.password_changed", obj=user, after={})
        user_sessions_end(user=user, by=by, keep_session_key=keep_session_key)
    return user
