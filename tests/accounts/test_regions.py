"""Roles are granted inside a region (issue 18): a kelurahan officer's villages lie in the
region of the organisation granting the role, and a region's administrator grants roles
only in their own region's organisations. The service refuses, and the user admin shows
the refusal on the field instead of failing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.utils import translation

from ksbb.accounts.models import Membership, Organization, Role, User
from ksbb.accounts.services import membership_grant, organization_create, user_create
from ksbb.areas.models import Area
from ksbb.core.domain import Invalid, NotAllowed
from tests.conftest import SETUP, VILLAGE_A, VILLAGE_BANDUNG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _newcomer() -> User:
    return user_create(username="baru", password=None, by=SETUP)


def test_an_officers_villages_lie_in_the_region_of_the_office(cast: Any, bandung: Any) -> None:
    user = _newcomer()
    jakarta_village = Area.objects.get(code=VILLAGE_A)
    with pytest.raises(Invalid) as exc:
        membership_grant(user=user, role=Role.KELURAHAN_OFFICER,
                         organization=bandung.kelurahan_office,
                         villages=[Area.objects.get(code=VILLAGE_BANDUNG), jakarta_village],
                         by=SETUP)
    message = " ".join(exc.value.message_dict["villages"])
    assert jakarta_village.name in message and VILLAGE_A in message
    assert VILLAGE_BANDUNG not in message
    with pytest.raises(Invalid) as exc:
        membership_grant(user=user, role=Role.KELURAHAN_OFFICER,
                         organization=cast.government,
                         villages=[Area.objects.get(code=VILLAGE_BANDUNG)], by=SETUP)
    assert VILLAGE_BANDUNG in " ".join(exc.value.message_dict["villages"])
    assert not user.memberships.exists()
    # Inside the region, as before.
    membership_grant(user=user, role=Role.KELURAHAN_OFFICER,
                     organization=bandung.kelurahan_office,
                     villages=[Area.objects.get(code=VILLAGE_BANDUNG)], by=SETUP)
    membership_grant(user=user, role=Role.KELURAHAN_OFFICER, organization=cast.government,
                     villages=[jakarta_village], by=SETUP)
    assert user.memberships.count() == 2


def test_a_new_government_office_is_of_the_default_region(cast: Any, bandung: Any) -> None:
    """An office linked to no region works in the default one (Jakarta): no Bandung
    village for its officers."""
    office = organization_create(kind=Organization.Kind.GOVERNMENT, name="Kel. Baru", by=SETUP)
    with pytest.raises(Invalid):
        membership_grant(user=_newcomer(), role=Role.KELURAHAN_OFFICER, organization=office,
                         villages=[Area.objects.get(code=VILLAGE_BANDUNG)], by=SETUP)


def test_a_region_administrator_grants_only_in_their_region(cast: Any, bandung: Any) -> None:
    user = _newcomer()
    refused: list[dict[str, Any]] = [
        {"role": Role.ASSESSOR, "organization": cast.government},
        {"role": Role.KELURAHAN_OFFICER, "organization": cast.government,
         "villages": [Area.objects.get(code=VILLAGE_A)]},
        {"role": Role.AGGREGATOR_STAFF, "organization": cast.aggregator_org},
        # A platform administrator of no organisation administers the installation.
        {"role": Role.PLATFORM_ADMIN},
        {"role": Role.RECIPIENT_REPRESENTATIVE, "recipient": cast.recipient},
    ]
    for grant in refused:
        with pytest.raises(NotAllowed) as exc:
            membership_grant(user=user, by=bandung.admin, **grant)
        assert exc.value.field in ("organization", "recipient"), grant
    # Jakarta's people do not grant in Bandung either.
    for by in (cast.assessor, cast.kelurahan):
        with pytest.raises(NotAllowed):
            membership_grant(user=user, role=Role.ASSESSOR, organization=bandung.government,
                             by=by)
    assert not user.memberships.exists()
    # Inside their region they do; the installation's administrator anywhere.
    membership_grant(user=user, role=Role.ASSESSOR, organization=bandung.government,
                     by=bandung.admin)
    membership_grant(user=user, role=Role.RECIPIENT_REPRESENTATIVE,
                     recipient=bandung.recipient, by=bandung.admin)
    membership_grant(user=user, role=Role.ASSESSOR, organization=cast.government,
                     by=cast.admin)
    membership_grant(user=user, role=Role.KELURAHAN_OFFICER,
                     organization=bandung.kelurahan_office,
                     villages=[Area.objects.get(code=VILLAGE_BANDUNG)], by=cast.admin)
    assert user.memberships.count() == 4


def _admin_request(rf: Any, user: User) -> Any:
    request = rf.post("/admin/accounts/user/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _officer_formset(rf: Any, cast: Any, target: User, office: Organization,
                     village: str) -> tuple[Any, Any, Any]:
    model_admin = admin.site._registry[User]
    request = _admin_request(rf, cast.admin)
    inline = next(i for i in model_admin.get_inline_instances(request, target)
                  if i.model is Membership)
    formset_class = inline.get_formset(request, target)
    prefix = formset_class.get_default_prefix()
    formset = formset_class({
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-role": Role.KELURAHAN_OFFICER,
        f"{prefix}-0-organization": str(office.pk),
        f"{prefix}-0-villages": [village],
        f"{prefix}-0-is_active": "on",
    }, instance=target, prefix=prefix)
    return model_admin, request, formset


def test_the_user_admin_shows_a_village_outside_the_region_on_its_field(
        cast: Any, bandung: Any, rf: Any) -> None:
    target = _newcomer()
    _admin, _request, formset = _officer_formset(rf, cast, target, bandung.kelurahan_office,
                                                 VILLAGE_A)
    assert not formset.is_valid()
    errors = " ".join(formset.forms[0].errors.get("villages", []))
    assert VILLAGE_A in errors, formset.errors
    ok = _officer_formset(rf, cast, target, bandung.kelurahan_office, VILLAGE_BANDUNG)[2]
    assert ok.is_valid(), ok.errors


def test_the_user_admin_reports_a_refused_grant_instead_of_failing(
        cast: Any, bandung: Any, rf: Any) -> None:
    """Should a refusal reach the save (a form that did not check), it is a message."""
    target = _newcomer()
    model_admin, request, formset = _officer_formset(rf, cast, target,
                                                     bandung.kelurahan_office, VILLAGE_A)
    formset.is_valid()
    form = formset.forms[0]
    form.cleaned_data = {"role": Role.KELURAHAN_OFFICER,
                         "organization": bandung.kelurahan_office,
                         "villages": [Area.objects.get(code=VILLAGE_A)]}
    model_admin.save_formset(request, SimpleNamespace(instance=target), formset, change=True)
    assert not target.memberships.exists()
    shown = " ".join(str(m) for m in get_messages(request))
    assert VILLAGE_A in shown
