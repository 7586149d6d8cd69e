"""The ideas pages: public list and detail, sign-up, posting, htmx support, officers' answer."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ksbb.accounts.models import User
from ksbb.core.models import AuditEntry
from ksbb.forum.models import Idea, Support
from ksbb.forum.services import idea_answer, idea_post, idea_support
from tests.conftest import PASSWORD, english_client

pytestmark = pytest.mark.django_db


def test_signup_creates_a_citizen_who_signs_in_with_the_email(db, client):  # type: ignore[no-untyped-def]
    assert client.get("/signup/").status_code == 200
    response = client.post("/signup/", {"name": "Siti", "email": "siti@example.org",
                                        "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    user = User.objects.get(username="siti@example.org")
    assert not user.memberships.exists()
    response = client.post("/accounts/login/", {"username": "siti@example.org",
                                                "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/ideas/new/").status_code == 200  # signed in


def test_signup_refuses_a_weak_password(citizen, client):  # type: ignore[no-untyped-def]
    response = client.post("/signup/", {"name": "X", "email": "x@example.org",
                                        "password": "123"})
    assert response.status_code == 400
    assert User.objects.count() == 1


def _answer_without_tokens(response) -> str:  # type: ignore[no-untyped-def]
    import re

    from django.contrib.messages import get_messages

    body = [str(m) for m in get_messages(response.wsgi_request)]
    return re.sub(r"[\w.+-]+@example\.org", "<email>", " ".join(body)) + response["Location"]


def test_signup_answers_the_same_for_a_registered_address(citizen, client, mailoutbox):  # type: ignore[no-untyped-def]
    """Issue 14, finding 10: sign-up told whether a name was taken."""
    mailoutbox.clear()
    known = client.post("/signup/", {"name": "A", "email": "warga@example.org",
                                     "password": PASSWORD})
    new = english_client().post("/signup/", {"name": "A", "email": "new@example.org",
                                             "password": PASSWORD})
    assert known.status_code == new.status_code == 302
    assert _answer_without_tokens(known) == _answer_without_tokens(new)
    assert sorted(m.to[0] for m in mailoutbox) == ["new@example.org", "warga@example.org"]


def test_signup_is_rate_limited_per_address(db, settings):  # type: ignore[no-untyped-def]
    """Issue 14, finding 1: 96 sign-ups from one address were all accepted."""
    settings.KSBB_SIGNUP_RATE = "3/hour"
    statuses = []
    for n in range(5):
        c = english_client()
        statuses.append(c.post("/signup/", {"name": "A", "email": f"s{n}@example.org",
                                            "password": PASSWORD},
                               REMOTE_ADDR="203.0.113.9").status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert User.objects.count() == 3
    other = english_client().post("/signup/", {"name": "A", "email": "t@example.org",
                                               "password": PASSWORD},
                                  REMOTE_ADDR="203.0.113.10")
    assert other.status_code == 302


def test_list_is_public_and_sorted_by_support_or_date(cast, citizen, client):  # type: ignore[no-untyped-def]
    old = idea_post(title="Old popular idea", body="b", by=citizen)
    new = idea_post(title="New quiet idea", body="b", by=citizen)
    idea_support(idea=old, by=cast.collaborator)
    html = client.get("/ideas/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.index(old.title) < html.index(new.title)
    assert "Supporters: 1" in html
    html = client.get("/ideas/?sort=date").content.decode()
    assert html.index(new.title) < html.index(old.title)
    idea_answer(idea=new, status="adopted", answer="Ya.", by=cast.assessor)
    html = client.get("/ideas/?status=adopted").content.decode()
    assert new.title in html and old.title not in html
    assert client.get("/ideas/?sort=bogus&status=bogus").status_code == 200


def test_detail_is_public_with_the_answer(cast, idea, client):  # type: ignore[no-untyped-def]
    idea_answer(idea=idea, status="under_review", answer="Sedang dikaji Dinas KPKP.",
                by=cast.assessor)
    html = client.get(f"/ideas/{idea.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert idea.title in html and "Sedang dikaji Dinas KPKP." in html
    assert "Sign in" in html  # to support
    assert "Publish the answer" not in html
    assert client.get("/ideas/999999/").status_code == 404


def test_posting_needs_an_account(cast, client, client_for):  # type: ignore[no-untyped-def]
    response = client.get("/ideas/new/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    c = client_for(cast.collaborator)
    response = c.post("/ideas/new/", {"title": "Bank sampah", "body": "Per RW.",
                                      "program": ""})
    idea = Idea.objects.get()
    assert response.status_code == 302 and response.url == f"/ideas/{idea.pk}/"
    assert idea.author == cast.collaborator
    assert c.post("/ideas/new/", {"title": "", "body": ""}).status_code == 400


def test_htmx_support_and_double_post(cast, idea, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.collaborator)
    url = f"/ideas/{idea.pk}/support/"
    first = c.post(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    second = c.post(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert first.status_code == second.status_code == 200
    assert 'id="idea-support"' in second.content.decode()
    assert "Supporters: 1" in second.content.decode()
    assert "Withdraw my support" in second.content.decode()
    assert Support.objects.filter(idea=idea).count() == 1
    assert AuditEntry.objects.filter(action="idea.supported").count() == 1
    response = c.post(f"/ideas/{idea.pk}/unsupport/")  # without htmx: back to the page
    assert response.status_code == 302 and response.url == f"/ideas/{idea.pk}/"
    assert not Support.objects.exists()


def test_anonymous_support_goes_to_sign_in(idea, client):  # type: ignore[no-untyped-def]
    response = client.post(f"/ideas/{idea.pk}/support/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Support.objects.exists()


def test_support_of_an_answered_idea_shows_the_refusal(cast, idea, client_for):  # type: ignore[no-untyped-def]
    idea_answer(idea=idea, status="declined", answer="Tidak.", by=cast.assessor)
    response = client_for(cast.collaborator).post(f"/ideas/{idea.pk}/support/",
                                                 HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Support.objects.exists()


@pytest.mark.parametrize("officer", ["assessor", "admin"])
def test_officers_answer_from_the_page(cast, idea, client_for, officer):  # type: ignore[no-untyped-def]
    c = client_for(getattr(cast, officer))
    assert "Publish the answer" in c.get(f"/ideas/{idea.pk}/",
                                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = c.post(f"/ideas/{idea.pk}/answer/", {"status": "adopted",
                                                    "answer": "Diadopsi."})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.status, idea.answer) == ("adopted", "Diadopsi.")
    response = c.post(f"/ideas/{idea.pk}/answer/", {"status": "declined", "answer": ""})
    assert response.status_code == 400
    idea.refresh_from_db()
    assert idea.status == "adopted"


@pytest.mark.parametrize("role", ["aggregator", "executor", "kelurahan", "ketua_rw",
                                  "collaborator", "outsider"])
def test_others_cannot_answer_from_the_page(cast, idea, client_for, role):  # type: ignore[no-untyped-def]
    c = client_for(getattr(cast, role))
    response = c.post(f"/ideas/{idea.pk}/answer/", {"status": "adopted", "answer": "Ya"})
    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.status == "open"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_support_counts_once(cast, idea):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def vote() -> None:
        try:
            barrier.wait()
            idea_support(idea=idea, by=cast.collaborator)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Support.objects.filter(idea=idea).count() == 1
    assert AuditEntry.objects.filter(action="idea.supported").count() == 1
