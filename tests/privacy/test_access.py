"""Who sees personal data in full, who sees it masked, and that full views are audited."""

from __future__ import annotations

import pytest

from ksbb.areas.models import Area
from ksbb.core.models import AuditEntry
from ksbb.core.privacy import VIEW_ACTION
from ksbb.reports.services import report_submit, report_triage

from .conftest import EMAIL, NIK, PHONE

REPORTER = {"reporter_name": "Siti Rahayu", "reporter_email": "siti.rahayu@example.com",
            "reporter_phone": "081298765432"}


def _views(object_type: str, object_id: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=VIEW_ACTION, object_type=object_type,
                                          object_id=str(object_id)))


# Donor's contact on a pledge ----------------------------------------------------------------

@pytest.mark.parametrize(("who", "full", "audited"), [
    ("donor", True, False),       # their own data
    ("aggregator", True, True),   # handles the pledge: must reach the donor
    ("assessor", False, False),   # oversees, does not need the contact
    ("admin", False, False),
])
def test_pledge_page_masks_donor_contact_by_role(cast, client_for, donor, who, full, audited):
    user = donor.user if who == "donor" else getattr(cast, who)
    html = client_for(user).get(f"/donations/pledges/{donor.pledge.pk}/").content.decode()
    assert (EMAIL in html) is full and (PHONE in html) is full
    if not full:
        assert "b***@e***.com" in html and "*********890" in html
    assert NIK not in html and "3171**********01" not in html
    assert bool(_views("donations.collaboratorprofile", donor.profile.pk)) is audited


def test_other_aggregators_cannot_open_the_pledge(cast, client_for, donor):
    response = client_for(cast.outsider).get(f"/donations/pledges/{donor.pledge.pk}/")
    # 404, as the API answers: another organisation's pledge is not even said to exist.
    assert response.status_code == 404
    assert EMAIL not in response.content.decode()


def test_full_view_audited_once_per_user_object_and_day(cast, client_for, donor):
    client = client_for(cast.aggregator)
    for _ in range(3):
        assert client.get(f"/donations/pledges/{donor.pledge.pk}/").status_code == 200
    entries = _views("donations.collaboratorprofile", donor.profile.pk)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor == cast.aggregator
    assert entry.after == {"fields": ["contact_email", "contact_phone"]}
    # The entry names the record by id only: the log outlives an erasure.
    assert entry.object_repr == "" and EMAIL not in str(entry.after)


# Reporter's contact on a misuse report ------------------------------------------------------

@pytest.fixture
def assigned_report(cast):  # type: ignore[no-untyped-def]
    report = report_submit(category="aid_sold",
                           area=Area.objects.get(code="31.71.01.1001.001"),
                           description="Paket dijual", by=None, **REPORTER)
    return report_triage(report=report, assigned_to=cast.kelurahan, priority="normal",
                         by=cast.assessor)


@pytest.mark.parametrize(("who", "full"), [
    ("kelurahan", True),   # the assigned officer
    ("assessor", False),
    ("admin", False),
])
def test_report_detail_masks_by_role_and_audits_full_views(cast, client_for,
                                                           assigned_report, who, full):
    html = client_for(getattr(cast, who)).get(
        f"/backoffice/reports/{assigned_report.pk}/").content.decode()
    for value in REPORTER.values():
        assert (value in html) is full
    entries = _views("reports.misusereport", assigned_report.pk)
    assert bool(entries) is full
    if full:
        assert entries[0].actor == cast.kelurahan
        assert entries[0].after == {"fields": sorted(REPORTER)}


def test_listings_mask_even_for_the_assigned_officer(cast, client_for, assigned_report):
    client = client_for(cast.kelurahan)
    html = client.get("/backoffice/reports/").content.decode()
    assert "S*** R***" in html
    rows = client.get("/api/v1/reports/").json()["results"]
    assert rows[0]["reporter_email"] == "s***@e***.com"
    for value in REPORTER.values():
        assert value not in html and value not in str(rows)
    assert not _views("reports.misusereport", assigned_report.pk)


def test_api_retrieve_shows_assigned_officer_in_full_and_audits(cast, client_for,
                                                                assigned_report):
    data = client_for(cast.kelurahan).get(f"/api/v1/reports/{assigned_report.pk}/").json()
    assert data["reporter_phone"] == REPORTER["reporter_phone"]
    assert len(_views("reports.misusereport", assigned_report.pk)) == 1
    data = client_for(cast.assessor).get(f"/api/v1/reports/{assigned_report.pk}/").json()
    assert data["reporter_phone"] == "*********432"
    assert len(_views("reports.misusereport", assigned_report.pk)) == 1


# Ketua RW's phone and forum authors ---------------------------------------------------------

def test_rw_contact_phone_masked_for_the_public(cast, client, client_for):
    rw = cast.recipient
    rw.contact_name, rw.contact_phone = "Pak RW", "081311112222"
    rw.save()
    row = client.get(f"/api/v1/recipients/{rw.pk}/").json()
    assert row["contact_name"] == "Pak RW" and row["contact_phone"] == "*********222"
    row = client_for(cast.assessor).get(f"/api/v1/recipients/{rw.pk}/").json()
    assert row["contact_phone"] == "081311112222"


def test_forum_never_shows_a_donors_email(cast, client, donor):
    from ksbb.forum.services import idea_post

    idea = idea_post(title="Dapur umum", body="Per RW.", by=donor.user)
    for url in ("/ideas/", f"/ideas/{idea.pk}/"):
        html = client.get(url).content.decode()
        assert "Budi S." in html and EMAIL not in html
    data = client.get(f"/api/v1/ideas/{idea.pk}/").json()
    assert data["author_name"] == "Budi S."


def test_admin_pages_do_not_show_contacts_or_nik(cast, client_for, donor, assigned_report):
    admin = client_for(cast.admin)
    html = admin.get("/admin/donations/collaboratorprofile/").content.decode()
    assert "b***@e***.com" in html and EMAIL not in html
    html = admin.get(
        f"/admin/donations/collaboratorprofile/{donor.profile.pk}/change/").content.decode()
    assert NIK not in html and "3171**********01" in html
    html = admin.get(
        f"/admin/reports/misusereport/{assigned_report.pk}/change/").content.decode()
    for value in REPORTER.values():
        assert value not in html
