"""Self-service password reset by e-mail (issue 14): Django's flow, no enumeration, limited,
absolute links to KSBB_PUBLIC_URL, ends every session and token, audited; the sign-in page
says the user name is the e-mail address; the lockout page no longer sends donors to "your
organisation's administrator"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from ksbb.core.models import AuditEntry
from tests.conftest import PASSWORD, english_client

pytestmark = pytest.mark.django_db
NEW = "a-brand-new-passphrase-42"


@pytest.fixture
def donor(cast):  # type: ignore[no-untyped-def]
    cast.collaborator.email = "donor@example.org"
    cast.collaborator.save()
    return cast.collaborator


def _ask(email: str, ip: str = "203.0.113.20"):  # type: ignore[no-untyped-def]
    return english_client().post("/accounts/password/reset/", {"email": email},
                                 REMOTE_ADDR=ip)


def test_reset_by_email_ends_sessions_and_tokens(donor, client_for, mailoutbox, settings):
    settings.KSBB_PUBLIC_URL = "https://ksbb.example.go.id"
    elsewhere = client_for(donor)
    token = Token.objects.create(user=donor)
    response = _ask("DONOR@example.org")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    (mail,) = mailoutbox
    assert mail.to == ["donor@example.org"]
    link = re.search(r"https://ksbb\.example\.go\.id(/accounts/password/reset/\S+/)",
                     mail.body).group(1)
    assert "Your user name is your e-mail address." in mail.body
    assert AuditEntry.objects.filter(action="user.password_reset_requested",
                                     actor=donor).exists()
    c = english_client()
    form = c.get(link, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    done = c.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    donor.refresh_from_db()
    assert donor.check_password(NEW)
    assert not Token.objects.filter(pk=token.pk).exists()
    assert elsewhere.get("/donations/mine/").status_code == 302  # signed out there
    entry = AuditEntry.objects.get(action="user.password_reset")
    assert entry.after == {"sessions_ended": 1, "tokens_revoked": 1}
    # The link works once.
    again = english_client().get(link, follow=True)
    assert "invalid or has been used" in again.content.decode()
    assert english_client().post("/accounts/login/", {
        "username": "collaborator", "password": NEW}).status_code == 302


def test_reset_does_not_tell_who_has_an_account(donor, mailoutbox):
    known, unknown = _ask("donor@example.org"), _ask("nobody@example.org", "203.0.113.21")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mailoutbox) == 1


def test_reset_is_rate_limited_per_address_and_per_email(donor, mailoutbox, settings):
    settings.KSBB_PASSWORD_RESET_RATE = "2/hour"
    assert [_ask("x@example.org").status_code for _ in range(3)] == [302, 302, 429]
    # From many addresses, one mailbox still gets at most two messages.
    for n in range(4):
        _ask("donor@example.org", ip=f"198.51.100.{n}")
    assert len(mailoutbox) == 2


def test_the_sign_in_page_names_the_user_name_and_the_reset(client):
    page = client.get("/accounts/login/").content.decode()
    assert "Your user name is the e-mail address you registered with" in page
    assert 'href="/accounts/password/reset/"' in page


def test_the_lockout_page_offers_the_reset_not_an_administrator(cast):
    for _ in range(5):
        Client(REMOTE_ADDR="10.9.9.9").post("/accounts/login/",
                                            {"username": "collaborator", "password": "x"})
    c = english_client()
    page = c.post("/accounts/login/", {"username": "collaborator", "password": PASSWORD},
                  REMOTE_ADDR="10.9.9.9").content.decode()
    assert "administrator" not in page
    assert 'href="/accounts/password/reset/"' in page
