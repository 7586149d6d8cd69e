from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ksbb.areas.models import Area
from ksbb.core.models import AuditEntry
from ksbb.reports.models import MisuseReport, ReportPhoto
from ksbb.reports.services import report_investigate, report_resolve, report_triage
from tests.reports.conftest import DESCRIPTION, REPORTER, png

pytestmark = pytest.mark.django_db

AREA = "31.71.01.1001.002"


def _answer(html: str) -> dict[str, str]:
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    a, b = re.search(r"(\d) \+ (\d)", html).groups()
    return {"challenge_token": token, "challenge_answer": str(int(a) + int(b))}


def _post(client: Client, extra: dict | None = None, answer: bool = True, **kwargs):  # type: ignore[no-untyped-def]
    page = client.get("/reports/new/")
    assert page.status_code == 200
    data = {"category": "short_quantity", "area": AREA, "description": DESCRIPTION,
            "bast_number": "BAST/2026/0001", **REPORTER}
    if answer:
        data.update(_answer(page.content.decode()))
    data.update(extra or {})
    return client.post("/reports/new/", data, **kwargs)


def test_anonymous_submission_then_tracking_page_reveals_nothing_personal(
        cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, {"photos": [png(), png("b.png")]})
    assert response.status_code == 302
    report = MisuseReport.objects.get()
    assert response["Location"] == f"/reports/track/{report.code}/"
    assert report.photos.count() == 2 and report.bast_number == "BAST/2026/0001"
    assert mail.outbox and report.code in mail.outbox[0].body
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert report.code in html  # also in the success message
    for secret in (*REPORTER.values(), DESCRIPTION, "BAST/2026/0001"):
        assert secret not in html
    # Later, resolved: status, history and public outcome are public.
    report_triage(report=report, assigned_to=cast.kelurahan, priority="high", by=cast.assessor)
    report_investigate(report=report, notes="Cek gudang RW 002", by=cast.kelurahan)
    report_resolve(report=report, outcome="founded", public_outcome="Kekurangan 20 paket "
                   "sudah dikirim ulang.", by=cast.kelurahan)
    html = Client().get(f"/reports/track/{report.code.lower()}/").content.decode()
    assert "Kekurangan 20 paket sudah dikirim ulang." in html
    assert "Cek gudang" not in html and "kelurahan" not in html.lower().replace(
        "kelurahan/desa", "")
    for secret in (*REPORTER.values(), DESCRIPTION):
        assert secret not in html
    assert html.count("<tr>") == 5  # header + received, triaged, investigation, resolved


def test_unknown_code_is_404(cast, client):
    assert client.get("/reports/track/KSBB-AAAAA-AAAAA/").status_code == 404
    assert client.get("/reports/track/?code=ksbb-x").status_code == 302


@pytest.mark.parametrize("photo,message", [
    (SimpleUploadedFile("evil.jpg", b"plain text pretending" * 20, "image/jpeg"),
     "not a JPEG, PNG or WebP"),
    (SimpleUploadedFile("big.png", png().read() + b"\0" * (5 * 1024 * 1024), "image/png"),
     "at most 5 MB"),
])
def test_bad_photos_are_refused(cast, client, photo, message):
    response = _post(client, {"photos": [photo]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MisuseReport.objects.exists() and not ReportPhoto.objects.exists()


def test_fourth_photo_is_refused(cast, client):
    response = _post(client, {"photos": [png(), png(), png(), png()]})
    assert response.status_code == 400 and "at most 3 photos" in response.content.decode()
    assert not MisuseReport.objects.exists()


def test_wrong_challenge_answer(cast, client):
    page = client.get("/reports/new/").content.decode()
    data = _answer(page)
    data["challenge_answer"] = str(int(data["challenge_answer"]) + 1)
    response = client.post("/reports/new/", {"category": "other", "area": AREA,
                                             "description": "x", **data})
    assert response.status_code == 400
    assert "wrong or expired answer" in response.content.decode()
    assert not MisuseReport.objects.exists()


def test_challenge_cannot_be_replayed(cast, client):
    page = client.get("/reports/new/").content.decode()
    data = {"category": "other", "area": AREA, "description": "x", **_answer(page)}
    assert client.post("/reports/new/", data).status_code == 302
    assert client.post("/reports/new/", data).status_code == 400
    assert MisuseReport.objects.count() == 1


def test_missing_challenge_and_honeypot(cast, client):
    assert _post(client, answer=False).status_code == 400
    response = _post(client, {"website": "http://spam.example"})
    assert response.status_code == 400 and "looks automated" in response.content.decode()
    assert not MisuseReport.objects.exists()


def test_unknown_area_is_refused(cast, client):
    response = _post(client, {"area": "99.99"})
    assert response.status_code == 400 and "no area has the code" in response.content.decode()


def test_rate_limit_per_ip(cast, settings):
    settings.KSBB_REPORTS_PER_HOUR = 2
    client = Client(REMOTE_ADDR="10.1.1.1")
    client.cookies["django_language"] = "en"
    assert _post(client).status_code == 302
    assert _post(client).status_code == 302
    response = _post(client)
    assert response.status_code == 429 and "too many reports" in response.content.decode()
    assert MisuseReport.objects.count() == 2
    # Another address is not affected.
    assert _post(Client(REMOTE_ADDR="10.1.1.2")).status_code == 302


def test_signed_in_users_skip_the_challenge(cast, client_for):
    client = client_for(cast.outsider)
    page = client.get("/reports/new/").content.decode()
    assert "challenge_token" not in page
    response = client.post("/reports/new/", {"category": "illegal_levy", "area": AREA,
                                             "description": "Pungli Rp 10.000"})
    assert response.status_code == 302
    assert MisuseReport.objects.get().submitted_by == cast.outsider


# From the pledge trail -----------------------------------------------------------------------

@pytest.fixture
def pledge(cast):  # type: ignore[no-untyped-def]
    from ksbb.donations.services import pledge_submit
    from tests.donations.conftest import setup_donations

    don = setup_donations(cast)
    return pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                         item=don.sembako, quantity=10, recipient=cast.recipient,
                         by=cast.collaborator)


def test_pledge_trail_links_to_a_prefilled_report(cast, client_for, pledge):
    client = client_for(cast.collaborator)
    trail = client.get(f"/donations/pledges/{pledge.pk}/").content.decode()
    assert f"/reports/new/?pledge={pledge.pk}" in trail
    form = client.get(f"/reports/new/?pledge={pledge.pk}").content.decode()
    # The place is shown by its name (issue 15), not its code.
    assert 'value="Gambir RW 001 - Kec. Gambir - Kota Jakarta Pusat"' in form
    assert f'<option value="{cast.aggregator_org.pk}" selected>' in form
    assert '<option value="not_received" selected>' in form
    response = client.post("/reports/new/", {
        "category": "not_received", "area": cast.recipient.area_id, "description": "Belum",
        "organization": cast.aggregator_org.pk, "pledge": pledge.pk})
    assert response.status_code == 302
    assert MisuseReport.objects.get().pledge == pledge


def test_no_prefill_and_no_link_for_others(cast, client_for, pledge):
    client = client_for(cast.outsider)
    form = client.get(f"/reports/new/?pledge={pledge.pk}").content.decode()
    assert cast.recipient.area_id not in form
    response = client.post("/reports/new/", {
        "category": "not_received", "area": AREA, "description": "Belum", "pledge": pledge.pk})
    assert response.status_code == 302
    assert MisuseReport.objects.get().pledge is None


# Back office -------------------------------------------------------------------------------

def test_officer_list_masks_reporter(cast, client_for, report, other_report):
    for who in ("assessor", "admin"):
        html = client_for(getattr(cast, who)).get("/backoffice/reports/").content.decode()
        assert report.code in html and other_report.code in html
        assert "S*** R***" in html and REPORTER["reporter_email"] not in html
        assert REPORTER["reporter_phone"] not in html
    html = client_for(cast.kelurahan).get("/backoffice/reports/").content.decode()
    assert report.code in html and other_report.code not in html


@pytest.mark.parametrize("who", ["aggregator", "executor", "collaborator", "outsider",
                                 "ketua_rw"])
def test_others_cannot_list_or_open_reports(cast, client_for, report, who):
    client = client_for(getattr(cast, who))
    assert client.get("/backoffice/reports/").status_code == 403
    assert client.get(f"/backoffice/reports/{report.pk}/").status_code == 403


def test_anonymous_is_sent_to_sign_in(cast, client, report):
    assert client.get("/backoffice/reports/").status_code == 302


def test_kelurahan_officer_of_another_village_gets_403(cast, client_for, other_report):
    client = client_for(cast.kelurahan)
    assert client.get(f"/backoffice/reports/{other_report.pk}/").status_code == 403
    assert client.post(f"/backoffice/reports/{other_report.pk}/investigate/",
                       {"notes": "x"}).status_code == 403


def test_detail_unmasks_only_for_the_assigned_officer(cast, client_for, report):
    report_triage(report=report, assigned_to=cast.kelurahan, priority="normal",
                  by=cast.assessor)
    html = client_for(cast.assessor).get(f"/backoffice/reports/{report.pk}/").content.decode()
    assert DESCRIPTION in html and REPORTER["reporter_email"] not in html
    html = client_for(cast.kelurahan).get(f"/backoffice/reports/{report.pk}/").content.decode()
    for value in REPORTER.values():
        assert value in html


def test_triage_investigate_resolve_through_pages(cast, client_for, report,
                                                  django_capture_on_commit_callbacks):
    assessor = client_for(cast.assessor)
    page = assessor.get(f"/backoffice/reports/{report.pk}/").content.decode()
    assert "/triage/" in page
    response = assessor.post(f"/backoffice/reports/{report.pk}/triage/",
                             {"assigned_to": cast.kelurahan.pk, "priority": "high"})
    assert response.status_code == 302
    officer = client_for(cast.kelurahan)
    response = officer.post(f"/backoffice/reports/{report.pk}/investigate/",
                            {"notes": "Kunjungan"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(f"/backoffice/reports/{report.pk}/resolve/",
                                {"outcome": "unfounded", "public_outcome": "Tidak terbukti."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "resolved" and report.outcome == "unfounded"
    assert [m.to for m in mail.outbox] == [[REPORTER["reporter_email"]]]
    actions = list(AuditEntry.objects.filter(object_id=str(report.pk),
                                             object_type="reports.misusereport")
                   .values_list("action", "actor_id"))
    assert actions[1:] == [("report.triaged", cast.assessor.pk),
                           ("report.investigation_started", cast.kelurahan.pk),
                           ("report.resolved", cast.kelurahan.pk)]


def test_page_refusals(cast, client_for, report):
    # Wrong state: the form comes back with the service's message.
    response = client_for(cast.assessor).post(f"/backoffice/reports/{report.pk}/resolve/", {
        "outcome": "founded", "public_outcome": "x"})
    assert response.status_code == 400
    assert "only a report under investigation" in response.content.decode()
    # Wrong role: the kelurahan officer cannot triage.
    response = client_for(cast.kelurahan).post(f"/backoffice/reports/{report.pk}/triage/", {
        "assigned_to": cast.kelurahan.pk, "priority": "high"}, follow=True)
    assert "only the assessor or a platform administrator" in response.content.decode()
    report.refresh_from_db()
    assert report.state == "received"


def test_photos_are_served_to_officers_only(cast, client_for):
    from ksbb.reports.services import report_submit

    report = report_submit(category="spoiled_goods",
                           area=Area.objects.get(code="31.71.01.1001"), description="x",
                           photos=[png()])
    photo = report.photos.get()
    response = client_for(cast.kelurahan).get(f"/backoffice/reports/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client_for(cast.collaborator).get(
        f"/backoffice/reports/photos/{photo.pk}/").status_code == 403
    assert Client().get(f"/backoffice/reports/photos/{photo.pk}/").status_code == 302
