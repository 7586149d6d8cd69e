"""Writes for organisations and memberships. Each one is audited with its actor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ksbb.accounts.models import ROLE_ORGANIZATION_KIND, Membership, Organization, Role, User
from ksbb.accounts.selectors import grant_within_actor_regions, villages_outside_region
from ksbb.areas.models import Area
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, SystemActor, is_user
from ksbb.core.links import absolute_url

# The actor of an account its own person creates (sign-up, donor registration).
SELF_REGISTRATION = SystemActor("self-registration")


def organization_create(
    *, kind: str, name: str, by: Actor, area: Area | None = None, is_demo: bool = False
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


def password_hash(password: str, *, user: User | None = None) -> str:
    """``password`` checked by the configured validators, then hashed.

    Call it before opening a transaction: hashing is slow on purpose (hundreds of
    milliseconds), and on SQLite a transaction holds the database's one write lock, so a
    hash inside it made every other writer wait (issue 14, the sign-up flood).
    """
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise Invalid({"password": exc.messages}) from exc
    return make_password(password)


def user_create(
    *, username: str, password: str | None, by: Actor, full_name: str = "", email: str = "",
    is_superuser: bool = False, hashed_password: str | None = None,
) -> User:
    """A user; ``hashed_password`` from ``password_hash`` when the caller opens the
    transaction itself. An account made by anyone but the person themself is confirmed:
    whoever made it vouches for it."""
    user = User(username=username, full_name=full_name, email=email,
                is_superuser=is_superuser, is_staff=is_superuser)
    if hashed_password is None:
        # Every place that sets a password goes through the configured validators.
        hashed_password = password_hash(password, user=user) if password else make_password(None)
    user.password = hashed_password
    if by != SELF_REGISTRATION:
        user.confirmed_at = timezone.now()
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
        audit_log(actor=by, action="user.created", obj=user,
                  after={"username": username, "superuser": is_superuser})
    return user


def membership_grant(
    *,
    user: User,
    role: str,
    by: Actor,
    organization: Organization | None = None,
    villages: Iterable[Area] = (),
    recipient: Any = None,
) -> Membership:
    """Give ``user`` a role; the role decides which organisation kind and scope it needs.
    ``recipient`` (a representative's): a ``needs.Recipient`` or its primary key."""
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
    recipient_id = getattr(recipient, "pk", recipient)
    if role == Role.RECIPIENT_REPRESENTATIVE and recipient_id is None:
        raise Invalid({"recipient": _("a recipient representative needs a recipient")})
    if is_user(by) and not grant_within_actor_regions(by, organization=organization,
                                                      recipient=recipient):
        raise NotAllowed(_("a region's administrator grants roles only in the organisations "
                           "and to the recipients of their own region"),
                         field="recipient" if organization is None and recipient_id
                         else "organization")
    membership_villages_check(organization=organization, villages=village_list)
    with transaction.atomic():
        membership = Membership.objects.create(user=user, role=role, organization=organization,
                                               recipient_id=recipient_id)
        if village_list:
            membership.villages.set(village_list)
        audit_log(actor=by, action="membership.granted", obj=membership, after={
            "user": user.username, "role": role,
            "organization": organization.pk if organization else None,
            "villages": sorted(v.code for v in village_list),
            "recipient": recipient_id,
        })
    return membership


def membership_villages_check(*, organization: Organization | None,
                              villages: list[Area]) -> None:
    """Refuse villages outside the region of the organisation granting the role (the
    user admin's form calls it too, to show the refusal on the field)."""
    outside = villages_outside_region(organization, villages)
    if outside and organization is not None:
        raise Invalid({"villages": [_(
            "the village %(village)s (%(code)s) lies outside the region of %(organization)s"
        ) % {"village": v.name, "code": v.code, "organization": organization.name}
            for v in outside]})


def membership_revoke(*, membership: Membership, by: Actor) -> Membership:
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


def user_sessions_end(*, user: User, by: Actor, keep_session_key: str | None = None) -> int:
    """Sign ``user`` out everywhere (but in ``keep_session_key``); returns how many ended."""
    keys = [s.session_key for s in _user_sessions(user) if s.session_key != keep_session_key]
    Session.objects.filter(session_key__in=keys).delete()
    if keys:
        audit_log(actor=by, action="user.sessions_ended", obj=user,
                  after={"sessions": len(keys)})
    return len(keys)


def user_deactivate(*, user: User, by: Actor) -> User:
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


def _tokens_revoke(user: User) -> int:
    from rest_framework.authtoken.models import Token

    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted


def user_password_change(
    *, user: User, password: str, by: Actor, keep_session_key: str | None = None
) -> User:
    """Set a new password (validated) and end the user's other sessions and API tokens:
    whoever learnt the old password may have made either.

    ``keep_session_key``: the session the change was made from, which stays signed in
    (the caller updates its session hash with ``update_session_auth_hash``).
    """
    hashed = password_hash(password, user=user)  # slow: before the transaction
    with transaction.atomic():
        user.password = hashed
        user.save(update_fields=["password"])
        tokens = _tokens_revoke(user)
        audit_log(actor=by, action="user.password_changed", obj=user,
                  after={"tokens_revoked": tokens})
        user_sessions_end(user=user, by=by, keep_session_key=keep_session_key)
    return user


def user_password_reset(*, user: User, password: str) -> User:
    """The person set a new password from a reset link sent to their e-mail: every session
    and API token ends (the one who forgot it signs in afresh), and a sign-in lockout on the
    account is lifted."""
    hashed = password_hash(password, user=user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.password = hashed
        fields = ["password"]
        if user.confirmed_at is None:
            # The link reached the account's address: that confirms it as well.
            user.confirmed_at = timezone.now()
            fields.append("confirmed_at")
        user.save(update_fields=fields)
        tokens = _tokens_revoke(user)
        sessions = [s.session_key for s in _user_sessions(user)]
        Session.objects.filter(session_key__in=sessions).delete()
        audit_log(actor=user, action="user.password_reset", obj=user,
                  after={"sessions_ended": len(sessions), "tokens_revoked": tokens})
    from axes.utils import reset as axes_reset

    axes_reset(username=user.get_username())
    return user


# Confirming the e-mail address.

EMAIL_CONFIRM_SALT = "ksbb.accounts.confirm-email"
EMAIL_CONFIRM_MAX_AGE = 3 * 24 * 3600


def _email_digest(email: str) -> str:
    # The link travels in URLs (server logs, browser history): it names the address by a
    # keyed digest, never in clear (a signed token is readable, not encrypted).
    return salted_hmac(EMAIL_CONFIRM_SALT, (email or "").strip().lower()).hexdigest()[:24]


def email_confirmation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "h": _email_digest(user.email)}, salt=EMAIL_CONFIRM_SALT)


def public_url(path: str) -> str:
    """An absolute link for an e-mail: the configured public address, never the Host
    header of the request that caused the e-mail (anyone can write that)."""
    return absolute_url(path)


def email_confirmation_send(*, user: User) -> None:
    from django.urls import reverse

    link = public_url(reverse("email_confirm", args=[email_confirmation_token(user)]))
    send_mail(
        subject=_("KSBB: confirm your e-mail address"),
        message=_("Open this link to confirm your e-mail address: %(link)s\n\n"
                  "If you did not create an account on KSBB, ignore this message.")
        % {"link": link},
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[user.email])


def email_taken_notice_send(*, email: str) -> None:
    """Someone tried to register with an address that has an account. The page answers as
    for a new account (no one learns which addresses are registered); the owner learns here."""
    from django.urls import reverse

    send_mail(
        subject=_("KSBB: someone tried to register with your e-mail address"),
        message=_("Someone tried to create a KSBB account with this e-mail address, which "
                  "has an account already. If it was you, sign in at %(login)s or set a new "
                  "password at %(reset)s. If it was not you, ignore this message.")
        % {"login": public_url(reverse("login")), "reset": public_url(reverse("password_reset"))},
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[email])


def user_confirm_email(*, token: str) -> User:
    """The person opened the link sent to their address: the account is confirmed."""
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=EMAIL_CONFIRM_MAX_AGE)
    except signing.BadSignature:
        data = {}
    pk = data.get("u") if isinstance(data, dict) else None
    user = User.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if user is None or not user.email or data.get("h") != _email_digest(user.email):
        raise Invalid({"token": [_("the confirmation link is invalid or has expired")]})
    user_mark_confirmed(user=user, by=user)
    return user


def user_mark_confirmed(*, user: User, by: Actor) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.confirmed_at is None:
            user.confirmed_at = timezone.now()
            user.save(update_fields=["confirmed_at"])
            audit_log(actor=by, action="user.confirmed", obj=user,
                      before={"confirmed": False}, after={"confirmed": True})
    return user
