"""Every page that sends the visitor on to a ``next`` address follows it only on this site
(ksbb.web.redirects.safe_next). An address elsewhere falls back to the page's own default:
a link in a phishing mail cannot use the site to send people on to another one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from ksbb.areas.models import Area
from ksbb.needs.models import Recipient
from ksbb.needs.services import institution_register
from ksbb.web.accounts.views import _CODES_KEY
from tests.conftest import PASSWORD, VILLAGE_A
from tests.households.conftest import bast, delivered, dist, lists  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example/donations/inbox/",
    "//evil.example/",
    "///evil.example/",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    " https://evil.example/",
    "https:evil.example",
]
ON_SITE = "/donations/inbox/?page=2"


def _stays(location: str) -> bool:
    parts = urlsplit(location.replace("\\", "/"))
    return (parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver")
            and not location.lstrip().lower().startswith("javascript:")
            and "evil" not in location)


def _assert_not_offered(page: Any, bad: str) -> None:
    """The page does not put ``bad`` in a link or a form's hidden ``next``."""
    body = page.content.decode()
    for attribute in ("href", "value", "action"):
        assert f'{attribute}="{escape(bad)}"' not in body, (bad, attribute)


def _assert_redirect_on_site(response: Any, bad: str) -> None:
    assert response.status_code == 302, (bad, response.status_code)
    assert _stays(response["Location"]), (bad, response["Location"])


@pytest.fixture
def goods(cast):  # type: ignore[no-untyped-def]
    from tests.donations.conftest import setup_donations

    don = setup_donations(cast)
    from ksbb.donations.services import pledge_submit

    def make() -> int:
        return pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                             item=don.sembako, quantity=10, by=cast.collaborator).pk

    return make


@pytest.mark.parametrize(("who", "action"), [("collaborator", "pledge_cancel"),
                                             ("aggregator", "pledge_receive"),
                                             ("aggregator", "pledge_reject")])
def test_pledge_actions_refuse_an_off_site_next(cast, client_for, goods, who, action
                                                 ):  # type: ignore[no-untyped-def]
    client = client_for(getattr(cast, who))
    for bad in OFF_SITE:
        pk = goods()
        response = client.post(reverse(f"donations:{action}", args=[pk]),
                               {"next": bad, "received": "10", "reason": "rusak"})
        _assert_redirect_on_site(response, bad)
        assert response["Location"] == reverse("donations:pledge", args=[pk])
    response = client.post(reverse(f"donations:{action}", args=[goods()]),
                           {"next": ON_SITE, "received": "10", "reason": "rusak"})
    assert response["Location"] == ON_SITE


def test_institution_verify_refuses_an_off_site_next(cast, client_for):  # type: ignore[no-untyped-def]
    client = client_for(cast.assessor)

    def institution() -> int:
        return institution_register(kind=Recipient.Kind.ORPHANAGE, name="Panti Asuhan Harapan",
                                    area=Area.objects.get(code=VILLAGE_A), residents=40,
                                    address="Jl. Merdeka 1", contact_name="Ibu Sari",
                                    contact_phone="0812000", by=cast.assessor).pk

    for bad in OFF_SITE:
        response = client.post(reverse("backoffice:institution_verify", args=[institution()]),
                               {"next": bad})
        _assert_redirect_on_site(response, bad)
        assert response["Location"] == reverse("backoffice:institutions")
    response = client.post(reverse("backoffice:institution_verify", args=[institution()]),
                           {"next": "/backoffice/institutions/?state=unverified"})
    assert response["Location"] == "/backoffice/institutions/?state=unverified"


def test_sign_in_refuses_an_off_site_next(cast):  # type: ignore[no-untyped-def]
    for bad in OFF_SITE:
        client = Client()
        _assert_not_offered(client.get(reverse("login"), {"next": bad}), bad)
        # A collaborator signs in with the password alone.
        response = client.post(reverse("login"), {"username": "collaborator",
                                                  "password": PASSWORD, "next": bad})
        _assert_redirect_on_site(response, bad)
        # Refused: the collaborator lands on their own work instead (web.landing).
        assert response["Location"] == reverse("donations:mine")
    response = Client().post(reverse("login"), {"username": "collaborator",
                                                "password": PASSWORD, "next": ON_SITE})
    assert response["Location"] == ON_SITE


def test_sign_in_with_two_factor_carries_only_a_safe_next(cast):  # type: ignore[no-untyped-def]
    # The assessor must give a second factor: the sign-in hands ``next`` to that step.
    for bad in OFF_SITE:
        client = Client()
        response = client.post(reverse("login"), {"username": "assessor",
                                                  "password": PASSWORD, "next": bad})
        _assert_redirect_on_site(response, bad)
        assert "evil" not in response["Location"]


def test_second_factor_pages_refuse_an_off_site_next(cast, client_for):  # type: ignore[no-untyped-def]
    verified = client_for(cast.assessor)
    for bad in OFF_SITE:
        response = verified.get(reverse("mfa_verify"), {"next": bad})
        _assert_redirect_on_site(response, bad)
        assert response["Location"] == reverse("backoffice:home")
        # Codes just made (as the setup or the two-factor page leaves them), shown once.
        session = verified.session
        session[_CODES_KEY] = ["1234-5678"]
        session.save()
        page = verified.get(reverse("mfa_backup_codes"), {"next": bad})
        assert page.status_code == 200
        _assert_not_offered(page, bad)
    assert verified.get(reverse("mfa_verify"), {"next": ON_SITE})["Location"] == ON_SITE


def test_sign_out_refuses_an_off_site_next(cast, client_for):  # type: ignore[no-untyped-def]
    for bad in OFF_SITE:
        client = client_for(cast.collaborator)
        response = client.post(reverse("logout"), {"next": bad})
        _assert_redirect_on_site(response, bad)
        assert response["Location"] == reverse("web:home")
    client = client_for(cast.collaborator)
    assert client.post(reverse("logout"), {"next": ON_SITE})["Location"] == ON_SITE


def test_language_switch_refuses_an_off_site_next(db):  # type: ignore[no-untyped-def]
    # Django's own view; checked here so that every ``next`` of the site is.
    for bad in OFF_SITE:
        response = Client().post("/i18n/setlang/", {"language": "en", "next": bad})
        _assert_redirect_on_site(response, bad)


def test_handout_tap_without_htmx_refuses_an_off_site_next(  # type: ignore[no-untyped-def]
        cast, client_for, lists, bast):  # noqa: F811 (fixtures from tests.households)
    client = client_for(cast.ketua_rw)
    household = lists.households[0]
    checklist = reverse("field:handout_checklist", args=[bast.pk])
    for bad in OFF_SITE:
        response = client.post(reverse("field:handout_tap", args=[bast.pk, household.pk]),
                               {"quantity": "1", "next": bad})
        _assert_redirect_on_site(response, bad)
        assert response["Location"] == checklist
    response = client.post(reverse("field:handout_tap", args=[bast.pk, household.pk]),
                           {"undo": "1", "next": f"{checklist}?rt=1"})
    assert response["Location"] == f"{checklist}?rt=1"
