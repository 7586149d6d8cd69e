"""Two-factor authentication (TOTP authenticator apps, one-time backup codes).

Selectors say who must use a second factor and which device a user has; services enrol,
verify and reset, each audited. The pages live in ``ksbb.web.accounts``.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ksbb.accounts.models import Role, User
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor

log = logging.getLogger(__name__)

# Roles whose accounts can move money, decide who receives aid or administer the platform.
MFA_REQUIRED_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.ASSESSOR, Role.AGGREGATOR_STAFF})
BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"


class MFAError(ValueError):
    """A code that does not match; the message is shown to the user."""


def mfa_required(user: Any) -> bool:
    """True when the account may not be used without a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return user.memberships.filter(is_active=True, role__in=MFA_REQUIRED_ROLES).exists()


def mfa_confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def mfa_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_backup_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def mfa_step(user: Any) -> str | None:
    """What a signed-in user still owes before using the site: "verify", "setup" or None.

    Whoever enrolled uses the second factor, required or not; whoever must use one and has
    not enrolled sets it up first.
    """
    if mfa_enrolled(user):
        return "verify"
    if mfa_required(user):
        return "setup"
    return None


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, without padding."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def mfa_setup_begin(*, user: User) -> TOTPDevice:
    """The pending (unconfirmed) authenticator for ``user``, created when missing.

    Not audited: a pending device protects nothing until it is confirmed, and reloading the
    setup page must not fill the audit log.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def mfa_device_confirm(*, device: TOTPDevice, token: str, by: Actor) -> list[str]:
    """Confirm a pending authenticator with a code from it; returns fresh backup codes.

    The codes are returned once, to be shown once: only the database keeps them after that.
    """
    from django.utils.translation import gettext as _

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed:
            raise MFAError(_("This authenticator is set up already."))
        if not device.verify_token(_clean(token)):
            raise MFAError(_("The code is not valid. Enter the current 6-digit code from "
                             "your authenticator app."))
        # One authenticator per account: a new one replaces the old.
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(device.user)
        audit_log(actor=by, action="mfa.enrolled", obj=device.user,
                  after={"device": "totp", "backup_codes": len(codes)})
    return codes


def mfa_verify(*, user: User, token: str) -> Device:
    """The device that accepts ``token`` (authenticator code or backup code).

    django-otp throttles each device after failures (the wait doubles each time), so codes
    cannot be guessed quickly. A backup code is used up; that is audited. Raises MFAError.
    """
    from django.utils.translation import gettext as _

    token = _clean(token)
    # Each code goes to its own kind of device, so that a mistyped authenticator code does
    # not also count against (and throttle) the backup codes.
    model: type[Device] = TOTPDevice if token.isdigit() else StaticDevice
    with transaction.atomic():
        device = (model.objects.select_for_update()
                  .filter(user=user, confirmed=True).order_by("pk").first())
        throttled = device is not None and not device.verify_is_allowed()[0]
        accepted = device is not None and device.verify_token(token)
    if not accepted:
        log.warning("two-factor code refused for user %s", user.pk)
        if throttled:
            raise MFAError(_("Too many wrong codes. Wait a few seconds, then enter the "
                             "current code."))
        raise MFAError(_("The code is not valid. Enter the current 6-digit code from your "
                         "authenticator app, or one of your backup codes."))
    if isinstance(device, StaticDevice):
        audit_log(actor=user, action="mfa.backup_code_used", obj=user,
                  after={"backup_codes_left": mfa_backup_codes_left(user)})
    return device


def mfa_backup_codes_regenerate(*, user: User, by: Actor) -> list[str]:
    with transaction.atomic():
        codes = _new_backup_codes(user)
        audit_log(actor=by, action="mfa.backup_codes_regenerated", obj=user,
                  after={"backup_codes": len(codes)})
    return codes


def mfa_reset(*, user: User, by: Actor) -> int:
    """Remove every second-factor device of ``user`` (lost phone, or the user turns it off).

    A user who must use two-factor authentication enrols again at the next sign-in.
    Returns the number of devices removed.
    """
    with transaction.atomic():
        totp, _ = TOTPDevice.objects.filter(user=user).delete()
        static = StaticDevice.objects.filter(user=user).count()
        StaticDevice.objects.filter(user=user).delete()
        audit_log(actor=by, action="mfa.reset", obj=user,
                  before={"totp_devices": totp, "backup_devices": static}, after={})
    return totp + static


def _clean(token: str) -> str:
    # Apps show "123 456"; people paste with spaces or dashes.
    return "".join((token or "").split()).replace("-", "")
