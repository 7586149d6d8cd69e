"""Back-office pages for institutions, rounds, imports and coverage."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ksbb.needs.models import AssessmentRound, Need, NeedsImport, Recipient
from ksbb.needs.services import need_set
from tests.conftest import ROLE_NAMES
from tests.needs.conftest import RW_A1, RW_A2

pytestmark = pytest.mark.django_db

WHO = ["anonymous", *ROLE_NAMES]
# anon admin assessor aggregator executor kelurahan ketua_rw collaborator outsider
MATRIX = {
    "/backoffice/institutions/": (302, 200, 200, 403, 403, 403, 403, 403, 403),
    "/backoffice/institutions/new/": (302, 200, 200, 403, 403, 403, 403, 403, 403),
    "/backoffice/rounds/": (302, 200, 200, 403, 403, 403, 403, 403, 403),
    "/backoffice/rounds/new/": (302, 200, 200, 403, 403, 403, 403, 403, 403),
    "{round}": (302, 200, 200, 403, 403, 403, 403, 403, 403),
    "{coverage}": (302, 200, 200, 403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize(("page", "who", "expected"), [
    pytest.param(page, who, MATRIX[page][i], id=f"{page}-{who}")
    for page in MATRIX for i, who in enumerate(WHO)])
def test_page_access(page, who, expected, cast, food_round, client_for):  # type: ignore[no-untyped-def]
    url = {"{round}": f"/backoffice/rounds/{food_round.pk}/",
           "{coverage}": f"/backoffice/rounds/{food_round.pk}/coverage/"}.get(page, page)
    user = None if who == "anonymous" else cast.users[who]
    assert client_for(user).get(url).status_code == expected


def test_register_and_verify_through_pages(cast, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.assessor)
    response = c.post("/backoffice/institutions/new/", {
        "kind": "orphanage", "name": "Panti Kasih", "area": "31.71.01.1001", "residents": "12",
        "address": "Jl. C", "contact_name": "Bu Ani", "contact_phone": "0815"})
    assert response.status_code == 302
    r = Recipient.objects.get(name="Panti Kasih")
    body = c.get("/backoffice/institutions/?state=unverified").content.decode()
    assert "Panti Kasih" in body and f"/backoffice/institutions/{r.pk}/verify/" in body
    assert client_for(cast.collaborator).post(
        f"/backoffice/institutions/{r.pk}/verify/").status_code == 403
    assert c.post(f"/backoffice/institutions/{r.pk}/verify/").status_code == 302
    r.refresh_from_db()
    assert r.is_verified


def test_register_form_shows_errors(cast, client_for):  # type: ignore[no-untyped-def]
    response = client_for(cast.assessor).post("/backoffice/institutions/new/", {
        "kind": "orphanage", "name": "X", "area": "31.71"})
    assert response.status_code == 200
    assert "Village or RW: choose a village or RW; Kota Jakarta Pusat" in \
        response.content.decode()
    response = client_for(cast.assessor).post("/backoffice/institutions/new/", {
        "kind": "orphanage", "name": "X", "area": "99.99"})
    assert "no area has the code" in response.content.decode()


def test_open_round_set_need_close(cast, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.assessor)
    response = c.post("/backoffice/rounds/new/", {"name": "Juni", "program": "pangan",
                                                  "period_start": "2020-06-10",
                                                  "period_end": "2020-06-01"})
    assert response.status_code == 200 and not AssessmentRound.objects.exists()
    response = c.post("/backoffice/rounds/new/", {"name": "Juni", "program": "pangan",
                                                  "period_start": "2020-06-01",
                                                  "period_end": "2020-06-30"})
    rnd = AssessmentRound.objects.get()
    assert response.status_code == 302
    response = c.post(f"/backoffice/rounds/{rnd.pk}/needs/", {
        "recipient": RW_A1, "item": "sembako", "quantity": "0", "priority": "1"})
    assert response.status_code == 400 and not Need.objects.exists()
    response = c.post(f"/backoffice/rounds/{rnd.pk}/needs/", {
        "recipient": RW_A1, "item": "sembako", "quantity": "30", "priority": "1"})
    assert response.status_code == 302 and Need.objects.get().quantity == 30
    assert "sembako" in c.get(f"/backoffice/rounds/{rnd.pk}/").content.decode()
    assert client_for(cast.kelurahan).post(
        f"/backoffice/rounds/{rnd.pk}/close/").status_code == 403
    assert c.post(f"/backoffice/rounds/{rnd.pk}/close/").status_code == 302
    rnd.refresh_from_db()
    assert rnd.state == "closed"
    assert "Set a need by hand" not in c.get(f"/backoffice/rounds/{rnd.pk}/").content.decode()


def test_upload_runs_the_task_and_page_polls(  # type: ignore[no-untyped-def]
    cast, food_round, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path
    c = client_for(cast.assessor)
    upload = SimpleUploadedFile("needs.csv", (
        f"recipient,item,quantity,priority\n{RW_A1},sembako,9,1\n{RW_A2},sembako,4,2\n"
    ).encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(f"/backoffice/rounds/{food_round.pk}/imports/needs/",
                          {"file": upload})
    job = NeedsImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/backoffice/imports/{job.pk}/"
    job.refresh_from_db()
    assert job.state == "done" and Need.objects.count() == 2
    body = c.get(f"/backoffice/imports/{job.pk}/progress/").content.decode()
    assert "hx-get" not in body and "2 needs created" in body
    # A queued import polls every second.
    NeedsImport.objects.filter(pk=job.pk).update(state="running", progress_done=1)
    body = c.get(f"/backoffice/imports/{job.pk}/").content.decode()
    assert f'hx-get="/backoffice/imports/{job.pk}/progress/"' in body
    assert 'hx-trigger="every 1s"' in body and "1 of 2 rows checked" in body
    assert client_for(cast.collaborator).get(
        f"/backoffice/imports/{job.pk}/progress/").status_code == 403


def test_coverage_page_drills_down(cast, food_round, client_for):  # type: ignore[no-untyped-def]
    rw = {r.area_id: r for r in Recipient.objects.filter(kind="rw")}
    need_set(round=food_round, recipient=rw[RW_A1], item="sembako", quantity=40, priority=1,
             by=cast.assessor)
    need_set(round=food_round, recipient=rw[RW_A2], item="sembako", quantity=25, priority=2,
             by=cast.assessor)
    c = client_for(cast.assessor)
    url = f"/backoffice/rounds/{food_round.pk}/coverage/"
    body = c.get(url).content.decode()
    assert "Kota Administrasi Jakarta Pusat" in body and "?within=31.71" in body
    body = c.get(url, {"within": "31.71.01.1001"}).content.decode()
    assert RW_A1 in body and ">40<" in body and ">65<" in body
    data = c.get(url, {"within": "31.71.01", "format": "json"}).json()
    assert data["level"] == 4
    assert data["areas"] == [{"code": "31.71.01.1001", "name": "Gambir", "level": 4,
                              "need": 65, "pledged": 0, "covered": 0, "ratio": 0.0}]


def test_poverty_upload_through_the_page(  # type: ignore[no-untyped-def]
    cast, food_round, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path
    c = client_for(cast.assessor)
    poverty = SimpleUploadedFile("poor.csv", f"rw_code,poor_households\n{RW_A1},40\n{RW_A2},5\n"
                                 .encode(), content_type="text/csv")
    health = SimpleUploadedFile("dinkes.csv", f"rw_code\n{RW_A2}\n".encode(),
                                content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(f"/backoffice/rounds/{food_round.pk}/imports/poverty/", {
            "item": "sembako", "per_poor_household": "1", "file": poverty,
            "health_file": health})
    assert response.status_code == 302
    got = {n.recipient.area_id: (n.quantity, n.priority) for n in Need.objects.all()}
    assert got == {RW_A1: (40, 2), RW_A2: (5, 1)}
    # No file: back to the round with a message, nothing queued.
    response = c.post(f"/backoffice/rounds/{food_round.pk}/imports/needs/", {}, follow=True)
    assert NeedsImport.objects.count() == 1 and response.status_code == 200
