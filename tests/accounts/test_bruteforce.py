"""Brute-force protection: django-axes per account name and client address together, and
a longer threshold per account and per address that spares the owner's known browsers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _from(ip: str) -> Client:
    c = Client(REMOTE_ADDR=ip)
    c.cookies["django_language"] = "en"
    return c


WRONG = "wrong-password"


def _try(client: Client, username: str, password: str = WRONG):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_the_limit_and_cool_off_come_from_the_environment(settings):
    assert settings.AXES_FAILURE_LIMIT == 5  # KSBB_LOGIN_FAILURE_LIMIT
    cool_off = settings.AXES_COOLOFF_TIME  # KSBB_LOGIN_COOLOFF_MINUTES
    assert cool_off == dt.timedelta(minutes=15)
    # Account name and address together (issue 14, finding 10).
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.KSBB_LOGIN_ACCOUNT_FAILURE_LIMIT == 30


def test_one_address_guessing_one_account_is_locked(cast):
    # The fifth failure already answers with the lockout page.
    guesser = "10.0.0.1"
    assert [_try(_from(guesser), "assessor").status_code for _ in range(5)] == [
        200, 200, 200, 200, 429]
    locked = _try(_from(guesser), "assessor", PASSWORD)  # even the right password
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Too many failed sign-in attempts" in body
    assert "15 minutes" in body
    # Other accounts from that address are unaffected.
    assert _try(_from(guesser), "collaborator", PASSWORD).status_code == 302


def test_a_stranger_cannot_lock_the_owner_out_at_their_usual_address(cast):
    """Issue 14, finding 10: five failures from anywhere locked a known account for
    everyone; now they lock only the guessing address."""
    for n in range(5):
        _try(_from(f"198.51.100.{n + 1}"), "assessor")
    assert _try(_from("10.0.1.1"), "assessor", PASSWORD).status_code == 302


def test_guessing_from_many_addresses_meets_the_account_wide_threshold(cast, settings):
    settings.KSBB_LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    owner = _from("10.7.0.1")
    assert _try(owner, "collaborator", PASSWORD).status_code == 302  # a known browser
    owner.post("/accounts/logout/")
    for n in range(6):
        _try(_from(f"198.51.100.{n + 1}"), "collaborator")
    # A browser that never signed in to the account waits out the cool-off ...
    assert _try(_from("10.7.0.2"), "collaborator", PASSWORD).status_code == 429
    # ... the owner's own browser (its signed device cookie) is not locked out.
    assert _try(owner, "collaborator", PASSWORD).status_code == 302
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert _try(_from("10.7.0.2"), "collaborator", PASSWORD).status_code == 302


def test_one_address_spraying_many_accounts_meets_the_address_threshold(cast, settings):
    settings.KSBB_LOGIN_ACCOUNT_FAILURE_LIMIT = 4
    sprayer = "192.0.2.7"
    for name in ["admin", "assessor", "aggregator", "executor"]:
        _try(_from(sprayer), name)
    assert _try(_from(sprayer), "collaborator", PASSWORD).status_code == 429
    assert _try(_from("192.0.2.8"), "collaborator", PASSWORD).status_code == 302


def test_a_forged_device_cookie_does_not_help(cast, settings):
    settings.KSBB_LOGIN_ACCOUNT_FAILURE_LIMIT = 2
    for n in range(2):
        _try(_from(f"198.51.100.{n + 1}"), "executor")
    stranger = _from("10.8.0.1")
    stranger.cookies["ksbb_device"] = "anything:forged"
    assert _try(stranger, "executor", PASSWORD).status_code == 429


def test_the_lockout_page_does_not_tell_whether_the_account_exists(cast):
    def locked_page(username: str, ip: str) -> str:
        client = _from(ip)
        for _ in range(5):
            _try(_from(ip), username)
        response = _try(client, username)
        assert response.status_code == 429
        return response.content.decode().replace("csrfmiddlewaretoken", "")

    real = locked_page("assessor", "10.1.0.1")
    ghost = locked_page("nobody-here", "10.2.0.1")
    assert "assessor" not in real.split("<main", 1)[1].split("</main>")[0]
    strip = lambda page: page.split("<main", 1)[1].split("</main>")[0]  # noqa: E731
    assert strip(real) == strip(ghost)


def test_the_lock_lifts_after_the_cool_off(cast):
    for _ in range(5):
        _try(_from("10.0.0.9"), "assessor")
    assert _try(_from("10.0.0.9"), "assessor", PASSWORD).status_code == 429
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert _try(_from("10.0.0.9"), "assessor", PASSWORD).status_code == 302


def test_a_success_resets_the_count(cast):
    client = _from("10.3.0.1")
    for _ in range(4):
        _try(client, "collaborator")
    assert _try(client, "collaborator", PASSWORD).status_code == 302
    for _ in range(4):
        assert _try(_from("10.3.0.1"), "collaborator").status_code == 200
    assert _try(_from("10.3.0.1"), "collaborator", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_protected_too(cast):
    for _ in range(5):
        _from("10.4.0.1").post("/admin/login/", {"username": "admin", "password": "nope"})
    response = _from("10.4.0.1").post("/admin/login/",
                                      {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429


def test_the_lockout_page_is_in_indonesian_by_default(cast):
    for _ in range(5):
        Client(REMOTE_ADDR="10.5.0.1").post("/accounts/login/",
                                            {"username": "assessor", "password": "x"})
    response = Client(REMOTE_ADDR="10.5.0.1").post("/accounts/login/",
                                                   {"username": "assessor", "password": "x"})
    assert response.status_code == 429
    assert '<html lang="id">' in response.content.decode()


def test_the_limit_can_be_changed(cast, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        _try(_from("10.6.0.1"), "executor")
    assert _try(_from("10.6.0.1"), "executor", PASSWORD).status_code == 429


def test_behind_a_proxy_the_forwarded_address_counts(cast, settings):
    settings.KSBB_PROXY_COUNT = 1
    for _ in range(5):
        _from("127.0.0.1").post("/accounts/login/", {"username": "collaborator",
                                                     "password": "x"},
                                HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = _from("127.0.0.1").post("/accounts/login/",
                                    {"username": "collaborator", "password": PASSWORD},
                                    HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.6")
    assert other.status_code == 302  # another client behind the same proxy is not locked
    same = _from("127.0.0.1").post("/accounts/login/",
                                   {"username": "collaborator", "password": PASSWORD},
                                   HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert same.status_code == 429
