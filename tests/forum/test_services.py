"""Posting, supporting and answering ideas: every transition, every refusal, the audit."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from ksbb.accounts.models import User
from ksbb.core.domain import NotAllowed, Refusal
from ksbb.core.models import AuditEntry
from ksbb.donations.models import Program
from ksbb.forum.models import Idea, Support
from ksbb.forum.services import (
    citizen_register,
    idea_answer,
    idea_post,
    idea_support,
    idea_unsupport,
)
from tests.conftest import PASSWORD, SETUP

pytestmark = pytest.mark.django_db


def _entries(action):  # type: ignore[no-untyped-def]
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def test_citizen_signs_up_without_membership(db, mailoutbox):  # type: ignore[no-untyped-def]
    user = citizen_register(name="Budi", email="Budi@Example.org", password=PASSWORD)
    assert user.check_password(PASSWORD)
    assert (user.username, user.email) == ("budi@example.org", "budi@example.org")
    assert not user.memberships.exists()
    assert user.confirmed_at is None  # until the link is opened
    entry = _entries("user.created")[-1]
    assert entry.actor_label == "system:self-registration"
    # The link in the e-mail is absolute, to the configured public address.
    (mail,) = mailoutbox
    link = re.search(r"http://127\.0\.0\.1:8000/accounts/confirm/\S+/", mail.body).group(0)
    from django.test import Client

    assert Client().get(link.removeprefix("http://127.0.0.1:8000")).status_code == 200
    user.refresh_from_db()
    assert user.confirmed_at is not None


def test_citizen_sign_up_refusals(citizen):  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        citizen_register(name="Ani", email="not-an-email", password="123")
    assert set(exc.value.message_dict) == {"email", "password"}
    with pytest.raises(Refusal) as exc:
        citizen_register(name="x" * 201, email="ani@example.org", password=PASSWORD)
    assert "name" in exc.value.message_dict


def test_a_registered_address_is_not_told_apart(citizen, mailoutbox):  # type: ignore[no-untyped-def]
    """Issue 14, finding 10: sign-up said "this user name is taken"."""
    assert citizen_register(name="Siapa", email="WARGA@example.org", password=PASSWORD) is None
    assert User.objects.filter(email__iexact="warga@example.org").count() == 1
    (mail,) = mailoutbox[-1:]
    assert mail.to == ["warga@example.org"] and "already" in mail.body


def test_any_signed_in_account_posts_an_idea(cast, citizen):  # type: ignore[no-untyped-def]
    pangan = Program.objects.get(code="PANGAN")
    for user in (citizen, cast.collaborator, cast.ketua_rw):
        idea = idea_post(title="  Dapur umum  ", body="Satu dapur umum per RW.", program=pangan,
                         by=user)
        assert (idea.title, idea.status, idea.author) == ("Dapur umum", Idea.Status.OPEN, user)
    entry = _entries("idea.posted")[-1]
    assert entry.actor_id == cast.ketua_rw.pk
    assert entry.after == {"title": "Dapur umum", "program": "PANGAN", "status": "open"}


def test_posting_refusals(citizen):  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed):
        idea_post(title="t", body="b", by=SETUP)
    citizen.is_active = False
    with pytest.raises(NotAllowed):
        idea_post(title="t", body="b", by=citizen)
    citizen.is_active = True
    with pytest.raises(Refusal) as exc:
        idea_post(title=" ", body="", by=citizen)
    assert set(exc.value.message_dict) == {"title", "body"}
    with pytest.raises(Refusal) as exc:
        idea_post(title="x" * 201, body="b" * 10_001, by=citizen)
    assert set(exc.value.message_dict) == {"title", "body"}
    assert not Idea.objects.exists()


def test_one_vote_per_account(cast, citizen, idea):  # type: ignore[no-untyped-def]
    other = cast.ketua_rw
    idea_support(idea=idea, by=cast.collaborator)
    idea_support(idea=idea, by=cast.collaborator)  # again: nothing changes
    idea_support(idea=idea, by=other)
    assert Support.objects.filter(idea=idea).count() == 2
    entries = _entries("idea.supported")
    assert [(e.actor_id, e.after) for e in entries] == [
        (cast.collaborator.pk, {"supports": 1}), (other.pk, {"supports": 2})]
    idea_unsupport(idea=idea, by=cast.collaborator)
    idea_unsupport(idea=idea, by=cast.collaborator)  # again: nothing changes
    assert list(Support.objects.values_list("user_id", flat=True)) == [other.pk]
    entries = _entries("idea.unsupported")
    assert [(e.actor_id, e.before, e.after) for e in entries] == [
        (cast.collaborator.pk, {"supports": 2}, {"supports": 1})]
    idea_support(idea=idea, by=cast.collaborator)  # a vote can be given again
    assert idea.supports.count() == 2


def test_the_database_keeps_one_vote_per_account(cast, idea):  # type: ignore[no-untyped-def]
    from django.db import IntegrityError, transaction

    Support.objects.create(idea=idea, user=cast.collaborator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(idea=idea, user=cast.collaborator)


def test_anonymous_and_system_cannot_support(idea):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    for actor in (AnonymousUser(), "system", None):
        with pytest.raises(NotAllowed):
            idea_support(idea=idea, by=actor)
        with pytest.raises(NotAllowed):
            idea_unsupport(idea=idea, by=actor)
    assert not Support.objects.exists()


@pytest.mark.parametrize("officer", ["assessor", "admin"])
def test_officers_answer_every_status(cast, idea, officer):  # type: ignore[no-untyped-def]
    by = getattr(cast, officer)
    idea = idea_answer(idea=idea, status="under_review", answer="", by=by)
    assert idea.status == Idea.Status.UNDER_REVIEW
    idea = idea_answer(idea=idea, status="adopted", answer="Masuk KSBB Urban Farming.", by=by)
    assert (idea.status, idea.answer, idea.answered_by) == ("adopted", "Masuk KSBB Urban "
                                                            "Farming.", by)
    assert idea.answered_at is not None
    idea = idea_answer(idea=idea, status="declined", answer="Belum ada anggaran.", by=by)
    idea = idea_answer(idea=idea, status="open", answer="", by=by)
    entries = _entries("idea.answered")
    assert [(e.actor_id, e.before["status"], e.after["status"]) for e in entries] == [
        (by.pk, "open", "under_review"), (by.pk, "under_review", "adopted"),
        (by.pk, "adopted", "declined"), (by.pk, "declined", "open")]


@pytest.mark.parametrize("role", ["aggregator", "executor", "kelurahan", "ketua_rw",
                                  "collaborator", "outsider"])
def test_status_changes_only_by_officers(cast, idea, role):  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed):
        idea_answer(idea=idea, status="adopted", answer="Ya", by=getattr(cast, role))
    with pytest.raises(NotAllowed):
        idea_answer(idea=idea, status="adopted", answer="Ya", by=idea.author)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.OPEN
    assert not _entries("idea.answered")


def test_answer_refusals(cast, idea):  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        idea_answer(idea=idea, status="bogus", answer="x", by=cast.assessor)
    assert "status" in exc.value.message_dict
    for status in ("adopted", "declined"):
        with pytest.raises(Refusal) as exc:
            idea_answer(idea=idea, status=status, answer="  ", by=cast.assessor)
        assert "answer" in exc.value.message_dict
    idea.refresh_from_db()
    assert idea.status == "open"


def test_answered_ideas_cannot_be_supported(cast, citizen, idea):  # type: ignore[no-untyped-def]
    idea_support(idea=idea, by=cast.ketua_rw)
    idea_answer(idea=idea, status="declined", answer="Tidak.", by=cast.assessor)
    with pytest.raises(Refusal):
        idea_support(idea=idea, by=cast.collaborator)
    with pytest.raises(Refusal):
        idea_unsupport(idea=idea, by=cast.ketua_rw)
    assert idea.supports.count() == 1


def test_errors_are_validation_errors(citizen):  # type: ignore[no-untyped-def]
    assert issubclass(Refusal, ValidationError)


def test_votes_count_only_from_confirmed_accounts_never_ones_own(cast, citizen, idea, settings):
    """Issue 14, finding 5: 25 sign-ups gave 25 supports in 13 s, authors supported their own
    ideas, and nothing limited the rate."""
    fresh = citizen_register(name="Bot", email="bot1@example.org", password=PASSWORD)
    with pytest.raises(NotAllowed, match="confirm your e-mail"):
        idea_support(idea=idea, by=fresh)
    with pytest.raises(NotAllowed, match="your own idea"):
        idea_support(idea=idea, by=citizen)
    assert not Support.objects.exists()
    settings.KSBB_SUPPORT_RATE = "2/hour"
    ideas = [idea_post(title=f"Ide {n}", body="b", by=citizen) for n in range(3)]
    idea_support(idea=ideas[0], by=cast.collaborator)
    idea_support(idea=ideas[1], by=cast.collaborator)
    with pytest.raises(Refusal, match="try again later"):
        idea_support(idea=ideas[2], by=cast.collaborator)
    assert Support.objects.count() == 2
