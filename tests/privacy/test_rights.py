"""A donor's own data: export (JSON) and erasure, with pledges and statistics kept."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.models import Session
from rest_framework.authtoken.models import Token

from ksbb.accounts.models import User
from ksbb.core.audit import audit_verify
from ksbb.core.domain import Refusal
from ksbb.core.models import AuditEntry
from ksbb.donations.models import CollaboratorProfile, Pledge
from ksbb.privacy.services import ANONYMOUS_DONOR, account_erase
from ksbb.reports.models import MisuseReport
from ksbb.reports.services import report_submit
from ksbb.stats.selectors import dashboard
from tests.conftest import PASSWORD, SETUP

from .conftest import EMAIL, NAME, NIK, PHONE

EXPORT = "/donations/mine/data/export.json"
ERASE = "/donations/mine/data/erase/"


def test_my_data_page_and_export(cast, client_for, donor):
    client = client_for(donor.user)
    html = client.get("/donations/mine/").content.decode()
    assert "/donations/mine/data/" in html
    html = client.get("/donations/mine/data/").content.decode()
    assert "My data" in html and EMAIL in html and NIK in html and ERASE in html
    response = client.get(EXPORT)
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == EMAIL and data["account"]["full_name"] == NAME
    [collaborator] = data["collaborators"]
    assert collaborator["profile"]["nik"] == NIK
    assert collaborator["profile"]["contact_phone"] == PHONE
    assert [p["id"] for p in collaborator["pledges"]] == [donor.pledge.pk]
    assert AuditEntry.objects.filter(action="privacy.data_exported",
                                     object_id=str(donor.user.pk), actor=donor.user).exists()


def test_export_holds_nobody_elses_data(cast, client_for, donor):
    # Another member of the cast's collaborator organisation, a report by someone else.
    report_submit(category="other", area=cast.recipient.area, description="x", by=None,
                  reporter_name="Orang Lain", reporter_email="lain@example.com")
    text = client_for(donor.user).get(EXPORT).content.decode()
    for other in ("lain@example.com", "Orang Lain", "csr@sembako.example", "PT Sembako",
                  cast.assessor.username, cast.outsider.username):
        assert other not in text
    # The collaborator of another organisation gets their own data only.
    text = client_for(cast.collaborator).get(EXPORT).content.decode()
    assert "csr@sembako.example" in text and EMAIL not in text and NIK not in text


def test_export_needs_sign_in(client):
    assert client.get(EXPORT).status_code == 302


def test_erasure_anonymises_and_keeps_pledges_and_statistics(cast, client_for, donor):
    client = client_for(donor.user)
    Token.objects.create(user=donor.user)
    report = report_submit(category="other", area=cast.recipient.area, description="x",
                           by=donor.user, reporter_name=NAME, reporter_email=EMAIL,
                           reporter_phone=PHONE)
    before = repr(dashboard(use_cache=False))
    pledges_before = list(Pledge.objects.values_list("pk", "collaborator_id", "quantity",
                                                     "received_quantity", "state"))
    assert client.get(ERASE).status_code == 200
    # Wrong password: nothing happens.
    response = client.post(ERASE, {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400 and "not correct" in response.content.decode()
    assert User.objects.get(pk=donor.user.pk).is_active
    response = client.post(ERASE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302

    user = User.objects.get(pk=donor.user.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.username == f"deleted-{user.pk}" and user.email == user.full_name == ""
    assert not Token.objects.filter(user=user).exists()
    assert not [s for s in Session.objects.all()
                if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    profile = CollaboratorProfile.objects.get(pk=donor.profile.pk)
    assert (profile.contact_email, profile.contact_phone, profile.nik) == ("", "", "")
    assert profile.organization.name == ANONYMOUS_DONOR
    assert profile.collaborator_kind == "individual"
    report.refresh_from_db()
    assert (report.reporter_name, report.reporter_email, report.reporter_phone) == ("", "", "")
    # Pledges and figures unchanged.
    assert list(Pledge.objects.values_list("pk", "collaborator_id", "quantity",
                                           "received_quantity", "state")) == pledges_before
    assert repr(dashboard(use_cache=False)) == before
    # The aggregator now sees an anonymous donor.
    html = client_for(cast.aggregator).get(
        f"/donations/pledges/{donor.pledge.pk}/").content.decode()
    assert ANONYMOUS_DONOR in html and NAME not in html and EMAIL not in html
    # Audited, without the erased values, and the chain is intact.
    entry = AuditEntry.objects.get(action="privacy.account_erased")
    assert entry.object_id == str(user.pk)
    for secret in (EMAIL, NAME, NIK, PHONE):
        assert secret not in json.dumps(entry.after) and secret not in entry.actor_label
    assert audit_verify().ok
    # Signed out: the next page asks to sign in.
    assert client.get("/donations/mine/").status_code == 302


def test_erasure_refused_for_staff_and_without_password(cast, client_for, donor):
    assert client_for(cast.aggregator).get(ERASE).status_code == 403
    with pytest.raises(Refusal):
        account_erase(user=cast.aggregator, password=PASSWORD, by=cast.aggregator)
    with pytest.raises(Refusal):
        account_erase(user=donor.user, password=PASSWORD, by=cast.collaborator)
    with pytest.raises(Refusal):
        account_erase(user=donor.user, password="", by=donor.user)
    assert User.objects.get(pk=donor.user.pk).email == EMAIL


def test_business_donor_keeps_its_name_when_another_member_remains(cast, donor):
    from ksbb.accounts.models import Role
    from ksbb.accounts.services import membership_grant

    membership_grant(user=donor.user, role=Role.COLLABORATOR,
                     organization=cast.collaborator_org, by=SETUP)
    account_erase(user=donor.user, password=PASSWORD, by=donor.user)
    cast.collaborator_org.refresh_from_db()
    assert cast.collaborator_org.name == "PT Sembako"
    assert CollaboratorProfile.objects.get(
        organization=cast.collaborator_org).contact_email == "csr@sembako.example"
    assert not MisuseReport.objects.exclude(reporter_email="").exists()
