"""/api/v1/ideas/: public reading, signed-in proposing and supporting, officers answering."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ksbb.core.models import AuditEntry
from ksbb.forum.models import Idea, Support
from ksbb.forum.services import idea_post, idea_support

pytestmark = pytest.mark.django_db

URL = "/api/v1/ideas/"


def api(user=None) -> APIClient:  # type: ignore[no-untyped-def]
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


@pytest.fixture
def citizen(db):  # type: ignore[no-untyped-def]
    from tests.forum.conftest import confirmed_citizen

    return confirmed_citizen(name="warga")


@pytest.fixture
def idea(cast, citizen) -> Idea:  # type: ignore[no-untyped-def]
    return idea_post(title="Kebun RPTRA", body="Kebun sayur.", by=citizen)


def test_list_and_retrieve_are_public(cast, citizen, idea):  # type: ignore[no-untyped-def]
    quiet = idea_post(title="Quiet", body="b", by=citizen)
    idea_support(idea=idea, by=cast.collaborator)
    rows = api().get(URL).json()["results"]
    assert [(r["id"], r["support_count"], r["supported"]) for r in rows] == [
        (idea.pk, 1, False), (quiet.pk, 0, False)]
    assert [r["id"] for r in api().get(URL + "?sort=date").json()["results"]] == [
        quiet.pk, idea.pk]
    detail = api(cast.collaborator).get(f"{URL}{idea.pk}/").json()
    assert detail["supported"] is True and detail["author_name"] == "warga"
    assert api().get(f"{URL}999999/").status_code == 404


def test_create_needs_sign_in(cast, citizen):  # type: ignore[no-untyped-def]
    assert api().post(URL, {"title": "t", "body": "b"}).status_code in (401, 403)
    response = api(citizen).post(URL, {"title": "Dapur umum", "body": "Per RW.",
                                       "program": "PANGAN"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["program_code"] == "PANGAN"
    assert response.json()["status"] == "open"
    entry = AuditEntry.objects.filter(action="idea.posted").get()
    assert entry.actor_id == citizen.pk
    bad = api(citizen).post(URL, {"title": " ", "body": "b"}, format="json")
    assert bad.status_code == 400 and "title" in bad.json()


def test_one_vote_per_account_under_a_double_post(cast, idea):  # type: ignore[no-untyped-def]
    c = api(cast.collaborator)
    first = c.post(f"{URL}{idea.pk}/support/")
    second = c.post(f"{URL}{idea.pk}/support/")
    assert first.status_code == second.status_code == 200
    assert second.json()["support_count"] == 1 and second.json()["supported"] is True
    assert Support.objects.count() == 1
    assert AuditEntry.objects.filter(action="idea.supported").count() == 1
    assert api(cast.assessor).post(f"{URL}{idea.pk}/support/").json()["support_count"] == 2
    gone = c.post(f"{URL}{idea.pk}/unsupport/")
    assert gone.json()["support_count"] == 1 and gone.json()["supported"] is False
    assert api().post(f"{URL}{idea.pk}/support/").status_code in (401, 403)


@pytest.mark.parametrize("officer", ["assessor", "admin"])
def test_officers_answer(cast, idea, officer):  # type: ignore[no-untyped-def]
    by = getattr(cast, officer)
    response = api(by).post(f"{URL}{idea.pk}/answer/",
                            {"status": "adopted", "answer": "Diadopsi."}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "adopted"
    assert response.json()["answer"] == "Diadopsi."
    entry = AuditEntry.objects.filter(action="idea.answered").get()
    assert (entry.actor_id, entry.before["status"], entry.after["status"]) == (
        by.pk, "open", "adopted")
    bad = api(by).post(f"{URL}{idea.pk}/answer/", {"status": "declined", "answer": ""},
                       format="json")
    assert bad.status_code == 400 and "answer" in bad.json()
    assert api(by).post(f"{URL}{idea.pk}/answer/", {"status": "nope"},
                        format="json").status_code == 400


@pytest.mark.parametrize("role", ["aggregator", "executor", "kelurahan", "ketua_rw",
                                  "collaborator", "outsider"])
def test_status_changes_only_by_officers(cast, idea, role):  # type: ignore[no-untyped-def]
    response = api(getattr(cast, role)).post(f"{URL}{idea.pk}/answer/",
                                             {"status": "adopted", "answer": "Ya"},
                                             format="json")
    assert response.status_code == 403
    assert api().post(f"{URL}{idea.pk}/answer/", {"status": "adopted", "answer": "Ya"},
                      format="json").status_code in (401, 403)
    idea.refresh_from_db()
    assert idea.status == "open"
    assert not AuditEntry.objects.filter(action="idea.answered").exists()


def test_no_update_or_delete(cast, idea):  # type: ignore[no-untyped-def]
    c = api(cast.admin)
    assert c.patch(f"{URL}{idea.pk}/", {"title": "x"}, format="json").status_code == 405
    assert c.delete(f"{URL}{idea.pk}/").status_code == 405
