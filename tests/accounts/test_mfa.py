"""Two-factor sign-in: who must use it, setup, verification, backup codes, the gate."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from ksbb.accounts.mfa import mfa_reset, mfa_step
from ksbb.core.models import AuditEntry
from tests.conftest import PASSWORD, english_client
from tests.e2e.signin import totp_now

pytestmark = pytest.mark.django_db

REQUIRED = ["admin", "assessor", "aggregator", "outsider"]
OPTIONAL = ["executor", "kelurahan", "ketua_rw", "collaborator"]


def _sign_in(username: str, client: Client | None = None, next_url: str = ""):  # type: ignore[no-untyped-def]
    client = client or english_client()
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": username, "password": PASSWORD})
    return client, response


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"  # noqa: E501


def device_of(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    return TOTPDevice.objects.get(user=user, confirmed=True)


def _enrol(client: Client, username: str) -> list[str]:
    """Run the setup page as a user would; returns the backup codes shown."""
    page = client.get("/accounts/mfa/setup/?next=/backoffice/").content.decode()
    secret = re.search(r'data-totp-secret="([A-Z2-7]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/accounts/mfa/setup/?next=/backoffice/",
                           {"otp_token": totp_now(secret), "next": "/backoffice/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/backup-codes/")
    codes_page = client.get(response["Location"]).content.decode()
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", codes_page)


@pytest.mark.parametrize("name", REQUIRED)
def test_roles_that_must_use_two_factor_go_to_setup(cast, name):
    _, response = _sign_in(name, next_url="/backoffice/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/setup/?next=%2Fbackoffice%2F"
    assert mfa_step(cast.users[name]) == "setup"


@pytest.mark.parametrize("name", OPTIONAL)
def test_other_roles_sign_in_with_the_password_alone(cast, name):
    client, response = _sign_in(name)
    assert response.status_code == 302
    assert not response["Location"].startswith("/accounts/mfa/")
    assert client.get("/accounts/two-factor/").status_code == 200
    assert mfa_step(cast.users[name]) is None


def test_setup_page_follows_the_contract(cast):
    client, _ = _sign_in("assessor")
    body = client.get("/accounts/mfa/setup/?next=/backoffice/").content.decode()
    assert re.search(r'data-totp-secret="[A-Z2-7]{32}"', body)
    assert 'src="data:image/svg+xml' in body  # the QR code
    assert 'name="otp_token"' in body and 'type="submit"' in body
    # Reloading shows the same secret: the pending device is reused.
    assert body.split('data-totp-secret="')[1][:32] in client.get(
        "/accounts/mfa/setup/").content.decode()


def test_setup_with_a_wrong_code_says_so(cast):
    client, _ = _sign_in("assessor")
    client.get("/accounts/mfa/setup/")
    response = client.post("/accounts/mfa/setup/", {"otp_token": "000000"})
    assert response.status_code == 200
    assert "The code is not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=cast.assessor, confirmed=True).exists()


def test_setup_then_backup_codes_then_the_workspace(cast):
    client, _ = _sign_in("assessor", next_url="/backoffice/")
    codes = _enrol(client, "assessor")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/backoffice/").status_code == 200
    # The codes are shown once.
    assert client.get("/accounts/two-factor/backup-codes/").status_code == 302
    assert AuditEntry.objects.filter(action="mfa.enrolled", object_id=str(cast.assessor.pk)
                                     ).exists()
    assert StaticToken.objects.filter(device__user=cast.assessor).count() == 10


def test_next_sign_in_asks_for_a_code(cast):
    client, _ = _sign_in("aggregator")
    _enrol(client, "aggregator")
    client.post("/accounts/logout/")

    client, response = _sign_in("aggregator", next_url="/donations/inbox/")
    assert response["Location"] == "/accounts/mfa/verify/?next=%2Fdonations%2Finbox%2F"
    assert client.get("/donations/inbox/").status_code == 302  # not yet
    page = client.get(response["Location"]).content.decode()
    assert 'name="otp_token"' in page

    wrong = client.post(response["Location"], {"otp_token": "123456"})
    assert wrong.status_code == 200
    assert "The code is not valid" in wrong.content.decode()

    throttled = client.post(response["Location"], {"otp_token": _code(device_of(cast.aggregator))})
    assert "Too many wrong codes" in throttled.content.decode()
    # The wait doubles after each failure; after it, a new code is accepted (once).
    with time_machine.travel(dt.timedelta(seconds=35)):
        ok = client.post(response["Location"], {"otp_token": _code(device_of(cast.aggregator))})
        assert ok.status_code == 302 and ok["Location"] == "/donations/inbox/"
        assert client.get("/donations/inbox/").status_code == 200


def test_wrong_code_in_indonesian_is_translated_text_not_english(cast):
    client = Client()  # Indonesian by default
    _sign_in("aggregator", client)
    _enrol(client, "aggregator")
    client.post("/accounts/logout/")
    _sign_in("aggregator", client)
    body = client.post("/accounts/mfa/verify/", {"otp_token": "123456"}).content.decode()
    assert 'lang="id"' in body
    assert 'class="error"' in body


def test_a_backup_code_works_once(cast):
    client, _ = _sign_in("admin")
    codes = _enrol(client, "admin")
    client.post("/accounts/logout/")

    client, _ = _sign_in("admin")
    response = client.post("/accounts/mfa/verify/?next=/admin/", {"otp_token": codes[0]})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="mfa.backup_code_used").count() == 1
    client.post("/accounts/logout/")

    client, _ = _sign_in("admin")
    again = client.post("/accounts/mfa/verify/", {"otp_token": codes[0]})
    assert again.status_code == 200
    assert StaticToken.objects.filter(device__user=cast.admin).count() == 9


def test_the_gate_keeps_an_unverified_user_on_the_two_factor_pages(cast):
    client, _ = _sign_in("assessor")
    gone = client.get("/backoffice/")
    assert gone.status_code == 302
    assert gone["Location"].startswith("/accounts/mfa/setup/?next=")
    assert client.get("/admin/")["Location"].startswith("/accounts/mfa/setup/")
    # Public pages, static files and the language switch stay open.
    assert client.get("/about/data/").status_code == 200
    assert client.get("/static/ksbb/css/ksbb.css").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en"}).status_code == 302
    # ... but not for sending forms as this user.
    assert client.post("/reports/new/", {})["Location"].startswith("/accounts/mfa/setup/")
    # The API with the session: a clear 403.
    api = client.get("/api/v1/pledges/")
    assert api.status_code == 403
    assert "Two-factor verification is required" in api.json()["detail"]
    # Signing out is always possible.
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/backoffice/")["Location"].startswith("/accounts/login/")


def test_api_tokens_are_not_affected(cast, client):
    call_command("issue_token", "assessor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    token = Token.objects.get(user=cast.assessor).key
    response = client.get("/api/v1/rounds/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


def test_an_optional_user_can_enrol_and_then_must_verify(cast):
    client, _ = _sign_in("collaborator")
    body = client.get("/accounts/two-factor/").content.decode()
    assert "Off: only your password" in body
    codes = _enrol(client, "collaborator")
    assert "On: signing in asks" in client.get("/accounts/two-factor/").content.decode()
    client.post("/accounts/logout/")

    client, response = _sign_in("collaborator")
    assert response["Location"].startswith("/accounts/mfa/verify/")
    device = TOTPDevice.objects.get(user=cast.collaborator)
    client.post("/accounts/mfa/verify/", {"otp_token": _code(device, drift=1)})
    # ... and can turn it off again, with the password and a current code.
    assert client.post("/accounts/two-factor/off/", {
        "password": PASSWORD, "otp_token": codes[0]}).status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.collaborator).exists()
    assert mfa_step(cast.collaborator) is None


def _reauth(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"password": PASSWORD, "otp_token": _code(device_of(user))}


def test_a_required_user_cannot_turn_it_off_only_replace_it(cast, client_for):
    client = client_for(cast.assessor)
    response = client.post("/accounts/two-factor/off/", _reauth(cast.assessor))
    assert response["Location"].startswith("/accounts/mfa/setup/")
    assert client.get("/backoffice/")["Location"].startswith("/accounts/mfa/setup/")


def test_new_backup_codes_replace_the_old(cast, client_for):
    client = client_for(cast.assessor)
    response = client.post("/accounts/two-factor/new-codes/", _reauth(cast.assessor))
    page = client.get(response["Location"]).content.decode()
    assert len(re.findall(r"<li><code>", page)) == 10
    assert StaticDevice.objects.filter(user=cast.assessor).count() == 1
    assert AuditEntry.objects.filter(action="mfa.backup_codes_regenerated").exists()


def test_reset_removes_the_devices_and_is_audited(cast):
    client, _ = _sign_in("assessor")
    _enrol(client, "assessor")
    assert mfa_reset(user=cast.assessor, by=cast.admin) == 2
    assert not TOTPDevice.objects.filter(user=cast.assessor).exists()
    assert not StaticDevice.objects.filter(user=cast.assessor).exists()
    entry = AuditEntry.objects.filter(action="mfa.reset").last()
    assert entry.actor_id == cast.admin.pk
    # The session that was verified with the removed device has to set up again.
    assert client.get("/backoffice/")["Location"].startswith("/accounts/mfa/setup/")


def test_admin_action_resets_two_factor(cast, client_for):
    TOTPDevice.objects.create(user=cast.assessor, name="x", confirmed=True)
    admin = client_for(cast.admin)
    response = admin.post("/admin/accounts/user/", {
        "action": "reset_two_factor", "_selected_action": [cast.assessor.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.assessor).exists()
    assert AuditEntry.objects.filter(action="mfa.reset", actor=cast.admin).exists()


def test_an_enrolled_user_cannot_skip_verification_by_setting_up_again(cast):
    client, _ = _sign_in("assessor")
    _enrol(client, "assessor")
    client.post("/accounts/logout/")
    client, _ = _sign_in("assessor")
    response = client.get("/accounts/mfa/setup/")
    assert response["Location"].startswith("/accounts/mfa/verify/")
    assert TOTPDevice.objects.filter(user=cast.assessor).count() == 1


def test_next_must_stay_on_this_site(cast):
    client, _ = _sign_in("assessor")
    page = client.get("/accounts/mfa/setup/?next=https://evil.example/").content.decode()
    # Not the other site: the assessor's own work (issue 15 point 5).
    assert '<input type="hidden" name="next" value="/backoffice/">' in page


@pytest.mark.parametrize("path", ["/accounts/two-factor/off/", "/accounts/two-factor/new-codes/"])
@pytest.mark.parametrize("missing", ["both", "password", "code"])
def test_changing_the_second_factor_needs_the_password_and_a_current_code(
        cast, client_for, mailoutbox, path, missing):
    """Issue 14, finding 9: a signed-in session alone turned two-factor off or made new
    backup codes."""
    cast.assessor.email = "assessor@example.org"
    cast.assessor.save()
    client = client_for(cast.assessor)
    data = _reauth(cast.assessor)
    if missing in ("both", "password"):
        data["password"] = "" if missing == "both" else "wrong-password"
    if missing in ("both", "code"):
        data["otp_token"] = "" if missing == "both" else "000000"
    before = AuditEntry.objects.count()
    response = client.post(path, data)
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=cast.assessor).exists()
    assert AuditEntry.objects.count() == before
    assert not mailoutbox
    device_of(cast.assessor).throttle_reset()  # a wrong code makes the next one wait
    # With both, it works, is audited and the person is told by e-mail.
    response = client.post(path, _reauth(cast.assessor))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action__in=["mfa.reset", "mfa.backup_codes_regenerated"],
                                     actor=cast.assessor).exists()
    assert [m.to for m in mailoutbox] == [["assessor@example.org"]]
