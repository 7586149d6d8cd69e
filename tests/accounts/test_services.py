import pytest
from django.core.exceptions import ValidationError

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import membership_grant, organization_create, user_create
from ksbb.areas.models import Area
from ksbb.core.models import AuditEntry
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db


def test_role_needs_the_right_kind_of_organisation(jakarta):
    user = user_create(username="u", password=None, by=SETUP)
    collaborator_org = organization_create(kind="collaborator", name="PT X", by=SETUP)
    with pytest.raises(ValidationError) as exc:
        membership_grant(user=user, role=Role.AGGREGATOR_STAFF, organization=collaborator_org,
                         by=SETUP)
    assert "organization" in exc.value.message_dict
    assert not user.memberships.exists()


def test_officer_needs_villages_and_only_villages(jakarta):
    user = user_create(username="u", password=None, by=SETUP)
    office = organization_create(kind=Organization.Kind.GOVERNMENT, name="Kel", by=SETUP)
    with pytest.raises(ValidationError, match="at least one village"):
        membership_grant(user=user, role=Role.KELURAHAN_OFFICER, organization=office, by=SETUP)
    with pytest.raises(ValidationError, match="only villages"):
        membership_grant(user=user, role=Role.KELURAHAN_OFFICER, organization=office,
                         villages=[Area.objects.get(code="31.71")], by=SETUP)


def test_representative_needs_a_recipient(jakarta):
    user = user_create(username="u", password=None, by=SETUP)
    with pytest.raises(ValidationError, match="needs a recipient"):
        membership_grant(user=user, role=Role.RECIPIENT_REPRESENTATIVE, by=SETUP)


def test_every_change_is_audited_with_its_actor(cast):
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("membership.granted") == 8
    assert actions.count("organization.created") == 6
    entry = AuditEntry.objects.filter(action="membership.granted").last()
    assert entry.actor_label == "system:test" and entry.after["role"] == Role.AGGREGATOR_STAFF


def test_bad_kind_and_blank_name_are_refused(db):
    with pytest.raises(ValidationError, match="kind"):
        organization_create(kind="bank", name="X", by=SETUP)
    with pytest.raises(ValidationError, match="required"):
        organization_create(kind="aggregator", name="  ", by=SETUP)
    assert not Organization.objects.exists()
