"""Collaborator and aggregator sign-up, e-mail verification, aggregator verification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.selectors import scope_of
from ksbb.core.domain import NotAllowed, Refusal
from ksbb.core.models import AuditEntry
from ksbb.donations.models import AggregatorProfile, CollaboratorProfile
from ksbb.donations.services import (
    aggregator_can_receive,
    aggregator_register,
    aggregator_verify,
    collaborator_register,
    collaborator_verify_email,
    email_verification_token,
)

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"
NIK = "3171011205900001"


def _register(**kw):  # type: ignore[no-untyped-def]
    args = {"kind": "individual", "name": "Siti Aminah", "email": "siti@example.com",
            "password": PASSWORD}
    args.update(kw)
    return collaborator_register(**args)


def test_collaborator_register_creates_user_org_profile_membership(jakarta,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        profile = _register(nik=NIK, phone="0812")
    org = profile.organization
    assert org.kind == Organization.Kind.COLLABORATOR and org.name == "Siti Aminah"
    assert profile.collaborator_kind == "individual" and profile.nik == NIK
    assert profile.nik_masked == "3171**********01"
    user = org.memberships.get().user
    assert user.username == "siti@example.com" and user.check_password(PASSWORD)
    assert scope_of(user).org_roles == {(org.pk, Role.COLLABORATOR)}
    assert profile.email_verified_at is None
    assert len(mail.outbox) == 1 and "/donations/verify-email/" in mail.outbox[0].body
    # Absolute, on the public address: it is clicked in a mail client.
    assert f"{settings.KSBB_PUBLIC_URL.rstrip('/')}/donations/verify-email/" in \
        mail.outbox[0].body
    assert AuditEntry.objects.filter(action="collaborator.profile_created",
                                     actor=user).exists()
    # The audit log never holds the NIK.
    assert not AuditEntry.objects.filter(after__icontains=NIK).exists()


def test_verify_email(jakarta):
    profile = _register(send_verification=False)
    user = profile.organization.memberships.get().user
    verified = collaborator_verify_email(token=email_verification_token(user))
    assert verified.email_verified_at is not None
    assert AuditEntry.objects.filter(action="collaborator.email_verified", actor=user).exists()


def test_verify_email_refuses_forged_token(jakarta):
    with pytest.raises(Refusal):
        collaborator_verify_email(token="nonsense")


@pytest.mark.parametrize(("kw", "field"), [
    ({"nik": "1234"}, "nik"),
    ({"nik": "3171019905900001"}, "nik"),
    ({"kind": "business", "nik": NIK}, "nik"),
    ({"kind": "alien"}, "kind"),
    ({"email": "not-an-email"}, "email"),
    ({"name": " "}, "name"),
    ({"password": "123"}, "password"),
])
def test_collaborator_register_refusals(jakarta, kw, field):
    with pytest.raises(ValidationError) as exc:
        _register(**kw)
    assert field in exc.value.message_dict
    assert not CollaboratorProfile.objects.exists()
    assert not Organization.objects.filter(kind="collaborator").exists()


def test_a_registered_address_is_not_told_apart(jakarta, cast):
    """Issue 14, finding 10: registration said "an account with this e-mail exists"."""
    _register(send_verification=False)
    mail.outbox.clear()
    # Self-registration: no error, nothing created, a notice to the address's owner.
    assert _register(name="Other", email="SITI@example.com", send_verification=False) is None
    assert Organization.objects.filter(kind="collaborator").count() == 2  # cast's + Siti's
    assert [m.to for m in mail.outbox] == [["siti@example.com"]]
    # An administrator registering someone is told.
    with pytest.raises(Refusal) as exc:
        _register(name="Other", send_verification=False, by=cast.admin)
    assert "email" in exc.value.message_dict


def test_business_registration_keeps_legal_details(jakarta):
    profile = _register(kind="business", name="PT Maju", email="csr@maju.example",
                        legal_name="PT Maju Bersama Tbk", registration_number="AHU-0001",
                        send_verification=False)
    assert profile.legal_name == "PT Maju Bersama Tbk" and profile.nik == ""


def _aggregator(valid_days: int = 30, **kw):  # type: ignore[no-untyped-def]
    return aggregator_register(
        name="Human Initiative", licence_number="KEP-123/HUK",
        licence_valid_until=timezone.localdate() + dt.timedelta(days=valid_days), **kw)


def test_aggregator_register_and_verify(cast):
    profile = _aggregator(email="staff@hi.example", password=PASSWORD)
    org = profile.organization
    assert not aggregator_can_receive(org)
    staff = org.memberships.get().user
    assert scope_of(staff).org_roles == {(org.pk, Role.AGGREGATOR_STAFF)}
    aggregator_verify(aggregator=org, by=cast.admin)
    profile.refresh_from_db()
    assert profile.verified_by == cast.admin and profile.verified_at is not None
    assert aggregator_can_receive(org)
    assert not aggregator_can_receive(org, on=timezone.localdate() + dt.timedelta(days=31))
    entry = AuditEntry.objects.filter(action="aggregator.verified").get()
    assert entry.actor == cast.admin


@pytest.mark.parametrize("who", ["assessor", "aggregator", "collaborator", "outsider"])
def test_only_platform_admin_verifies(cast, who):
    profile = _aggregator()
    with pytest.raises(NotAllowed):
        aggregator_verify(aggregator=profile.organization, by=cast.users[who])
    assert AggregatorProfile.objects.get(pk=profile.pk).verified_at is None


def test_verify_refuses_expired_licence_and_twice(cast):
    expired = _aggregator(valid_days=-1)
    with pytest.raises(Refusal):
        aggregator_verify(aggregator=expired.organization, by=cast.admin)
    ok = aggregator_register(name="PMI", licence_number="X",
                             licence_valid_until=timezone.localdate(), by=cast.admin)
    aggregator_verify(aggregator=ok.organization, by=cast.admin)
    with pytest.raises(Refusal):
        aggregator_verify(aggregator=ok.organization, by=cast.admin)
    with pytest.raises(Refusal):
        aggregator_verify(aggregator=cast.executor_org, by=cast.admin)
