"""Session lifetimes: a new key on sign-in, idle and absolute timeouts, ending sessions."""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token

from ksbb.accounts.models import User
from ksbb.accounts.services import user_create, user_deactivate, user_password_change
from ksbb.core.models import AuditEntry
from ksbb.web.accounts.middleware import SIGNED_IN_AT
from tests.conftest import PASSWORD, SETUP, english_client

pytestmark = pytest.mark.django_db

PROTECTED = "/accounts/two-factor/"  # any page that needs a signed-in user


def _signed_in(username: str = "collaborator") -> Client:
    client = english_client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _signed_out(client: Client) -> bool:
    response = client.get(PROTECTED)
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_signing_in_gives_a_new_session_key(cast):
    client = english_client()
    before = client.session
    before["anything"] = 1
    before.save()
    old_key = before.session_key
    client.cookies["sessionid"] = old_key
    client.post("/accounts/login/", {"username": "collaborator", "password": PASSWORD})
    new_key = client.cookies["sessionid"].value
    assert new_key and new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert not _signed_out(client)


def test_the_second_factor_gives_another_new_key(cast):
    from tests.e2e.signin import totp_now

    client = _signed_in("assessor")
    key = client.cookies["sessionid"].value
    page = client.get("/accounts/mfa/setup/").content.decode()
    secret = page.split('data-totp-secret="')[1].split('"')[0]
    client.post("/accounts/mfa/setup/", {"otp_token": totp_now(secret)})
    assert client.cookies["sessionid"].value != key


def test_idle_sessions_end(cast, settings):
    assert settings.KSBB_SESSION_IDLE_MINUTES == 30
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC), tick=False) as t:
        client = _signed_in()
        # Activity keeps the session alive well past 30 minutes in all...
        for _ in range(4):
            t.shift(dt.timedelta(minutes=25))
            assert not _signed_out(client)
        # ... but 31 idle minutes end it, and the sign-in page says why.
        t.shift(dt.timedelta(minutes=31))
        assert _signed_out(client)
        page = client.get("/accounts/login/").content.decode()
        assert "Your session ended after a period of inactivity" in page


def test_sessions_end_after_the_longest_time_allowed(cast, settings):
    assert settings.KSBB_SESSION_MAX_HOURS == 12
    with time_machine.travel(dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC), tick=False) as t:
        client = _signed_in()
        for _ in range(int(12 * 60 / 29)):  # busy all day: never idle
            t.shift(dt.timedelta(minutes=29))
            assert not _signed_out(client)
        t.shift(dt.timedelta(minutes=29))
        assert _signed_out(client)


def test_the_absolute_limit_counts_from_the_stored_sign_in_time(cast, settings):
    settings.KSBB_SESSION_MAX_HOURS = 1
    client = _signed_in()
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 3601
    session.save()
    assert _signed_out(client)


def test_deactivation_ends_sessions_and_tokens(cast, client_for):
    user = cast.collaborator
    browsers = [_signed_in(), _signed_in()]
    other = _signed_in("executor")
    token = Token.objects.create(user=user).key

    user_deactivate(user=user, by=cast.admin)

    assert all(_signed_out(b) for b in browsers)
    assert not _signed_out(other)
    assert not Token.objects.filter(user=user).exists()
    api = english_client().get("/api/v1/pledges/", HTTP_AUTHORIZATION=f"Token {token}")
    assert api.status_code in (401, 403) and "Invalid token" in api.json()["detail"]
    entry = AuditEntry.objects.filter(action="user.deactivated").last()
    assert entry.after["sessions_ended"] == 2 and entry.after["tokens_revoked"] == 1
    assert entry.actor_id == cast.admin.pk
    assert _signed_in_fails("collaborator")


def _signed_in_fails(username: str) -> bool:
    response = english_client().post("/accounts/login/",
                                      {"username": username, "password": PASSWORD})
    return response.status_code == 200


def test_unticking_active_in_the_admin_goes_through_the_service(cast):
    from ksbb.accounts.admin import UserAdmin

    browser = _signed_in()
    user = User.objects.get(pk=cast.collaborator.pk)
    user.is_active = False
    request = RequestFactory().post("/admin/")
    request.user = cast.admin
    UserAdmin(User, admin.site).save_model(
        request, user, SimpleNamespace(changed_data=["is_active"]), change=True)
    assert _signed_out(browser)
    assert not User.objects.get(pk=user.pk).is_active
    assert AuditEntry.objects.filter(action="user.deactivated", actor=cast.admin).exists()


def test_the_admin_action_deactivates(cast, client_for):
    browser = _signed_in()
    response = client_for(cast.admin).post("/admin/accounts/user/", {
        "action": "deactivate_users", "_selected_action": [cast.collaborator.pk]})
    assert response.status_code == 302
    assert _signed_out(browser)


def test_a_password_change_ends_the_other_sessions(cast):
    here, elsewhere = _signed_in(), _signed_in()
    response = here.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "another-Secret-42",
        "new_password2": "another-Secret-42"})
    assert response.status_code == 302
    assert not _signed_out(here)
    assert _signed_out(elsewhere)
    assert AuditEntry.objects.filter(action="user.password_changed").exists()
    assert english_client().post("/accounts/login/", {
        "username": "collaborator", "password": "another-Secret-42"}).status_code == 302


def test_the_service_ends_other_sessions_and_keeps_the_current(cast):
    here, elsewhere = _signed_in(), _signed_in()
    user_password_change(user=cast.collaborator, password="another-Secret-42", by=SETUP,
                         keep_session_key=here.cookies["sessionid"].value)
    assert Session.objects.filter(session_key=here.cookies["sessionid"].value).exists()
    assert not Session.objects.filter(session_key=elsewhere.cookies["sessionid"].value
                                      ).exists()


# Password rules apply wherever a password is set.

@pytest.mark.parametrize("weak", ["123", "password123", "12345678901"])
def test_weak_passwords_are_refused_on_the_password_page(cast, weak):
    response = _signed_in().post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


@pytest.mark.parametrize("weak", ["123", "password123", "12345678901"])
def test_weak_passwords_are_refused_by_the_services(cast, weak):
    with pytest.raises(ValidationError) as refused:
        user_create(username="newbie", password=weak, by=SETUP)
    assert "password" in refused.value.message_dict
    with pytest.raises(ValidationError):
        user_password_change(user=cast.collaborator, password=weak, by=SETUP)


def test_a_password_like_the_user_name_is_refused(db):
    with pytest.raises(ValidationError):
        user_create(username="newbie", password="newbie1234", by=SETUP)
    with pytest.raises(ValidationError):
        user_create(username="newbie", password="x", email="newbie@example.org", by=SETUP)
    assert user_create(username="newbie", password=PASSWORD, by=SETUP).has_usable_password()


def test_weak_passwords_are_refused_at_aggregator_sign_up(jakarta):
    from ksbb.donations.services import aggregator_register

    with pytest.raises(ValidationError) as refused:
        aggregator_register(name="Lembaga", licence_number="K-1",
                            licence_valid_until=dt.date(2030, 1, 1),
                            email="a@example.org", password="12345")
    assert "password" in refused.value.message_dict


def test_weak_passwords_are_refused_at_collaborator_sign_up(jakarta):
    from ksbb.donations.services import collaborator_register

    with pytest.raises(ValidationError) as refused:
        collaborator_register(kind="individual", name="Ani", email="ani@example.org",
                              password="qwerty")
    assert "password" in refused.value.message_dict


def test_weak_passwords_are_refused_at_citizen_sign_up(client, db):
    response = client.post("/signup/", {"name": "warga", "email": "w@example.org",
                                         "password": "warga"})
    assert response.status_code == 400
    assert "This password is too short" in response.content.decode()
