"""Test clients of users who must use two-factor sign-in, already past that step."""

from __future__ import annotations

from typing import Any

from django.test import Client


def otp_verify_client(client: Client, user: Any) -> None:
    """Give ``user`` a confirmed authenticator and mark ``client``'s session as verified.

    The client must be signed in already (force_login). This is what django_otp.login does
    on the verify page, done on the test client's session.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="test", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def needs_second_factor(user: Any) -> bool:
    from ksbb.accounts.mfa import mfa_step

    return mfa_step(user) is not None
