"""Issue 15 point 5: after sign-in (and the two-factor step) each role lands on its own
work when no safe ``next`` says otherwise."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ksbb.accounts.services import user_create
from ksbb.core.domain import SystemActor
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LANDING = {
    "admin": "/backoffice/",
    "assessor": "/backoffice/",
    "aggregator": "/donations/inbox/",
    "outsider": "/donations/inbox/",  # aggregator staff of another organisation
    "executor": "/field/",
    "kelurahan": "/field/",
    "ketua_rw": "/field/deliveries/",
    "collaborator": "/donations/mine/",
}


def _sign_in(client: Client, username: str, next_url: str = ""):  # type: ignore[no-untyped-def]
    url = "/accounts/login/" + (f"?next={quote(next_url)}" if next_url else "")
    return client.post(url, {"username": username, "password": PASSWORD})


@pytest.mark.parametrize(("name", "landing"), LANDING.items())
def test_each_role_lands_on_its_work(cast, name, landing):  # type: ignore[no-untyped-def]
    client = Client()
    response = _sign_in(client, name)
    assert response.status_code == 302
    location = response["Location"]
    if location.startswith("/accounts/mfa/"):  # the second factor first, then the work
        assert location.endswith("?next=" + quote(landing, safe=""))
    else:
        assert location == landing
        assert client.get(landing).status_code == 200


def test_no_role_lands_on_the_dashboard(cast):  # type: ignore[no-untyped-def]
    user_create(username="citizen", password=PASSWORD, by=SystemActor("test"), full_name="Citizen")
    assert _sign_in(Client(), "citizen")["Location"] == "/"


def test_a_safe_next_still_wins_and_an_unsafe_one_does_not(cast):  # type: ignore[no-untyped-def]
    assert _sign_in(Client(), "executor", "/reports/new/")["Location"] == "/reports/new/"
    assert _sign_in(Client(), "executor", "https://evil.example/")["Location"] == "/field/"


def test_the_two_factor_step_without_next_lands_on_the_work(cast):  # type: ignore[no-untyped-def]
    device = TOTPDevice.objects.create(user=cast.aggregator, name="phone", confirmed=True)
    client = Client()
    response = _sign_in(client, "aggregator")
    assert response["Location"] == "/accounts/mfa/verify/?next=%2Fdonations%2Finbox%2F"
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    done = client.post("/accounts/mfa/verify/", {"otp_token": code})  # no next at all
    assert done.status_code == 302 and done["Location"] == "/donations/inbox/"
