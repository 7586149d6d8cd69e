"""Issue 14, finding 1: a sign-up flood stalled the site. The password was hashed inside
the transaction (on SQLite: while holding the database's one write lock), so every other
writer waited for each hash in turn; some waited past the timeout and got a 500."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import OperationalError, connection
from django.test import Client

from tests.conftest import PASSWORD, SETUP

PHASES: list[bool] = []


class RecordingHasher(PBKDF2PasswordHasher):
    """Records whether each hash runs inside a transaction, and takes its time."""

    iterations = 1000

    def encode(self, password, salt, iterations=None):  # type: ignore[no-untyped-def]
        PHASES.append(connection.in_atomic_block)
        return super().encode(password, salt, iterations)


@pytest.fixture
def recording(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["tests.accounts.test_flood.RecordingHasher"]
    PHASES.clear()
    return PHASES


@pytest.mark.django_db(transaction=True)
def test_no_password_is_hashed_inside_a_transaction(recording, jakarta):  # type: ignore[no-untyped-def]
    from ksbb.accounts.models import User
    from ksbb.accounts.services import user_password_change, user_password_reset

    c = Client()
    assert c.post("/signup/", {"name": "A", "email": "a@example.org",
                               "password": PASSWORD}).status_code == 302
    assert c.post("/donations/register/", {"kind": "individual", "name": "B",
                                           "email": "b@example.org",
                                           "password": PASSWORD}).status_code == 302
    assert c.post("/donations/aggregators/register/", {
        "name": "Lembaga", "licence_number": "K-1", "licence_valid_until": "2099-01-01",
        "email": "c@example.org", "password": PASSWORD}).status_code == 302
    # A known address is hashed too (the same time either way), outside as well.
    assert c.post("/signup/", {"name": "A", "email": "a@example.org",
                               "password": PASSWORD}).status_code == 302
    user = User.objects.get(username="a@example.org")
    user_password_change(user=user, password=PASSWORD + "x", by=user)
    user_password_reset(user=user, password=PASSWORD + "y")
    assert len(recording) == 6
    assert not any(recording), "a password was hashed inside transaction.atomic()"


def test_a_locked_database_answers_503_not_500(client, db, monkeypatch):  # type: ignore[no-untyped-def]
    from ksbb.forum import services

    def busy(**kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "citizen_register", busy)
    response = client.post("/signup/", {"name": "A", "email": "a@example.org",
                                        "password": PASSWORD})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing was saved" in response.content.decode()


def test_the_api_answers_503_json_when_the_database_is_locked(cast, db, monkeypatch):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    from ksbb.forum import services

    def busy(**kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "idea_post", busy)
    api = APIClient()
    api.force_authenticate(cast.collaborator)
    response = api.post("/api/v1/ideas/", {"title": "t", "body": "b"}, format="json",
                        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "database is busy" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_another_users_write_is_not_held_up_by_sign_ups(settings, jakarta):  # type: ignore[no-untyped-def]
    """Bounded flood: six sign-ups at once with a deliberately slow hash; another user's
    write meanwhile finishes long before the sign-ups do."""
    from ksbb.accounts.models import User
    from ksbb.accounts.services import user_create
    from ksbb.forum.services import idea_post

    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("an in-memory SQLite database is one connection; see bench/flood.py")
    settings.PASSWORD_HASHERS = ["tests.accounts.test_flood.SlowHasher"]
    settings.KSBB_SIGNUP_RATE = None
    author = user_create(username="author", password=None, by=SETUP)

    def sign_up(n: int) -> None:
        Client(REMOTE_ADDR=f"10.9.0.{n}").post("/signup/", {
            "name": "A", "email": f"flood{n}@example.org", "password": PASSWORD})
        connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    started = time.perf_counter()
    idea_post(title="Dapur umum", body="Per RW.", by=author)
    other = time.perf_counter() - started
    for t in threads:
        t.join(30)
    assert User.objects.filter(username__startswith="flood").count() == 6
    # Six hashes of 0.3 s in a row under the write lock made it wait about 1.8 s.
    assert other < 0.5, f"another user's write waited {other:.2f} s"


class SlowHasher(PBKDF2PasswordHasher):
    iterations = 1000

    def encode(self, password, salt, iterations=None):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return super().encode(password, salt, iterations)


def test_sqlite_writers_wait_for_the_lock_instead_of_failing(monkeypatch, tmp_path):
    """The embedded default queues writers for up to 20 s (busy timeout) and takes the
    write lock at BEGIN, so two writers never deadlock."""
    import importlib

    monkeypatch.delenv("KSBB_DATABASE_URL", raising=False)
    monkeypatch.setenv("KSBB_DATA_DIR", str(tmp_path))
    from ksbb import settings as ksbb_settings

    fresh = importlib.reload(ksbb_settings)
    try:
        options = fresh.DATABASES["default"]["OPTIONS"]
        assert options["timeout"] >= 20 and options["transaction_mode"] == "IMMEDIATE"
    finally:
        monkeypatch.undo()
        importlib.reload(ksbb_settings)
