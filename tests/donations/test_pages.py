"""Donation pages: who reaches which page (as tests/accounts/test_permissions.py), and the
forms driving the services."""

from __future__ import annotations

import pytest
from django.core import mail

from ksbb.donations.models import AggregatorProfile, CollaboratorProfile, Pledge
from tests.conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db

WHO = ["anonymous", *ROLE_NAMES]

#        anon admin assessor aggregator executor kelurahan ketua_rw collaborator outsider
MATRIX: dict[str, tuple[int, ...]] = {
    "/donations/register/": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/donations/aggregators/": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/donations/aggregators/register/": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/donations/mine/": (302, 200, 403, 403, 403, 403, 403, 200, 403),
    "/donations/pledges/new/": (302, 200, 403, 403, 403, 403, 403, 200, 403),
    # Another organisation's pledge is "not found" (as in the API), not "forbidden".
    "{pledge}": (302, 200, 200, 200, 404, 404, 404, 200, 404),
    "/donations/inbox/": (302, 200, 403, 200, 403, 403, 403, 403, 200),
    "/donations/verification/": (302, 200, 403, 403, 403, 403, 403, 403, 403),
}

CASES = [
    pytest.param(page, who, MATRIX[page][i], id=f"{page}-{who}")
    for page in MATRIX
    for i, who in enumerate(WHO)
]


@pytest.mark.parametrize(("page", "who", "expected"), CASES)
def test_page_access(page, who, expected, cast, goods_pledge, client_for):  # type: ignore[no-untyped-def]
    user = None if who == "anonymous" else cast.users[who]
    url = f"/donations/pledges/{goods_pledge.pk}/" if page == "{pledge}" else page
    assert client_for(user).get(url).status_code == expected


@pytest.mark.parametrize(("verb", "data"), [("receive", {"received": "1"}),
                                             ("reject", {"reason": "x"}),
                                             ("cancel", {"reason": "x"})])
@pytest.mark.parametrize("who", ["outsider", "executor"])
def test_actions_of_others_are_forbidden(cast, goods_pledge, client_for, verb, data, who):
    response = client_for(cast.users[who]).post(
        f"/donations/pledges/{goods_pledge.pk}/{verb}/", data)
    assert response.status_code == 403
    assert Pledge.objects.get(pk=goods_pledge.pk).state == "submitted"


def test_unknown_pledge_is_404(cast, client_for):
    assert client_for(cast.admin).get("/donations/pledges/999999/").status_code == 404


def test_pledge_form_and_trail(cast, don, client_for):
    client = client_for(cast.collaborator)
    body = client.get("/donations/pledges/new/").content.decode()
    assert "BAZNAS DKI" in body and "Paket sembako" in body
    response = client.post("/donations/pledges/new/", {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "item": don.sembako.pk, "quantity": "0"})
    assert response.status_code == 400
    response = client.post("/donations/pledges/new/", {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "item": don.sembako.pk, "quantity": "40", "preferred_area": "31.71.01.1001"})
    pledge = Pledge.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{pledge.pk}/")
    assert pledge.preferred_area_id == "31.71.01.1001"
    assert "pledge.submitted" in client.get(f"/donations/pledges/{pledge.pk}/").content.decode()
    assert f"/donations/pledges/{pledge.pk}/" in client.get("/donations/mine/").content.decode()


def test_inbox_receive_and_reject(cast, don, goods_pledge, client_for):
    client = client_for(cast.aggregator)
    assert f"/donations/pledges/{goods_pledge.pk}/receive/" in client.get(
        "/donations/inbox/").content.decode()
    client.post(f"/donations/pledges/{goods_pledge.pk}/receive/", {"received": "500"})
    assert Pledge.objects.get(pk=goods_pledge.pk).state == "submitted"
    response = client.post(f"/donations/pledges/{goods_pledge.pk}/receive/",
                           {"received": "95", "next": "/donations/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/donations/inbox/"
    pledge = Pledge.objects.get(pk=goods_pledge.pk)
    assert pledge.state == "received" and pledge.received_quantity == 95
    body = client_for(cast.collaborator).get(f"/donations/pledges/{pledge.pk}/").content.decode()
    assert "pledge.received" in body and "95" in body


def test_collaborator_cancels_on_the_page(cast, goods_pledge, client_for):
    client_for(cast.collaborator).post(f"/donations/pledges/{goods_pledge.pk}/cancel/",
                                       {"reason": "Dobel"})
    assert Pledge.objects.get(pk=goods_pledge.pk).state == "cancelled"


def test_public_registration_and_email_verification(
        jakarta, client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/donations/register/", {
            "kind": "community", "name": "Komunitas Peduli", "email": "peduli@example.com",
            "password": "correct-horse-battery-9", "area": "31.71.01.1001"})
    assert response.status_code == 302
    profile = CollaboratorProfile.objects.get()
    assert profile.collaborator_kind == "community"
    assert profile.organization.area_id == "31.71.01.1001"
    link = next(w for w in mail.outbox[0].body.split() if "/donations/verify-email/" in w)
    assert client.get(link).status_code == 200
    profile.refresh_from_db()
    assert profile.email_verified_at is not None
    assert client.get("/donations/verify-email/forged/").status_code == 400
    # Confirming the donor's address confirms the account (forum votes count).
    assert profile.organization.memberships.get().user.confirmed_at is not None
    assert link.startswith("http://127.0.0.1:8000/")  # KSBB_PUBLIC_URL, not the Host header


def test_registration_answers_the_same_for_a_registered_address(jakarta, client):  # type: ignore[no-untyped-def]
    from django.contrib.messages import get_messages

    def register(email: str):  # type: ignore[no-untyped-def]
        from tests.conftest import english_client

        response = english_client().post("/donations/register/", {
            "kind": "individual", "name": "Budi", "email": email,
            "password": "correct-horse-battery-9"})
        said = " ".join(str(m) for m in get_messages(response.wsgi_request))
        return response.status_code, response["Location"], said.replace(email, "<email>")

    first = register("budi@example.com")
    assert register("BUDI@example.com".lower()) == first
    assert CollaboratorProfile.objects.count() == 1


def test_registration_is_rate_limited_per_address(jakarta, client, settings):  # type: ignore[no-untyped-def]
    settings.KSBB_SIGNUP_RATE = "2/hour"
    codes = [client.post("/donations/register/", {
        "kind": "individual", "name": "Budi", "email": f"b{n}@example.com",
        "password": "correct-horse-battery-9"}).status_code for n in range(3)]
    assert codes == [302, 302, 429]
    assert CollaboratorProfile.objects.count() == 2


def test_registration_shows_nik_errors(jakarta, client):
    client.cookies["django_language"] = "en"
    response = client.post("/donations/register/", {
        "kind": "individual", "name": "Budi", "email": "budi@example.com",
        "password": "correct-horse-battery-9", "nik": "3199011205900001"})
    assert response.status_code == 200
    assert "regency" in response.content.decode()
    assert not CollaboratorProfile.objects.exists()


def test_aggregator_registration_and_verification_queue(cast, client, client_for):
    response = client.post("/donations/aggregators/register/", {
        "name": "Human Initiative", "licence_number": "KEP-9", "licence_valid_until":
        "2099-12-31", "email": "hi@example.com", "password": "correct-horse-battery-9"})
    assert response.status_code == 302
    profile = AggregatorProfile.objects.get(organization__name="Human Initiative")
    admin = client_for(cast.admin)
    assert "Human Initiative" in admin.get("/donations/verification/").content.decode()
    assert "Human Initiative" not in client.get("/donations/aggregators/").content.decode()
    response = admin.post(f"/donations/verification/{profile.organization_id}/verify/")
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.verified_by == cast.admin
    assert "Human Initiative" in client.get("/donations/aggregators/").content.decode()
    assert client_for(cast.assessor).post(
        f"/donations/verification/{profile.organization_id}/verify/").status_code == 403


def test_money_pledge_page_shows_what_its_money_bought(cast, don, received_money, client_for):
    from ksbb.donations.services import purchase_record

    purchase_record(aggregator=cast.aggregator_org, item=don.sembako, quantity=3,
                    cost_rupiah=900_000, supplier="Toko Makmur",
                    funding=[(received_money, 900_000)], by=cast.aggregator)
    body = client_for(cast.collaborator).get(
        f"/donations/pledges/{received_money.pk}/").content.decode()
    assert "Bought with this money" in body and "900,000" in body.replace(".", ",")
    assert '<td class="num">3</td>' in body



def test_reject_looks_dangerous_and_asks(cast, don, goods_pledge, client_for):  # type: ignore[no-untyped-def]
    """Issue 15 point 7: a danger style and a confirmation (site.js, data-confirm)."""
    body = client_for(cast.aggregator).get("/donations/inbox/").content.decode()
    assert 'data-confirm="Reject this pledge? This cannot be undone."' in body
    assert '<button type="submit" class="danger">Reject</button>' in body
