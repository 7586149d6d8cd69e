"""/api/v1/programs, items, aggregators, pledges, purchases: visibility per caller, actions
through the services, refusals as 400 with field names, 403 or 404 for the wrong caller."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_receive, pledge_submit
from tests.conftest import SETUP
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db


@pytest.fixture
def don(cast):  # type: ignore[no-untyped-def]
    return setup_donations(cast)


@pytest.fixture
def api_for():  # type: ignore[no-untyped-def]
    def make(user):  # type: ignore[no-untyped-def]
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def pledge(cast, don) -> Pledge:  # type: ignore[no-untyped-def]
    return pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                         item=don.sembako, quantity=100, by=cast.collaborator)


def test_programs_and_items_are_public(api_for, don):
    api = api_for(None)
    codes = {p["code"] for p in api.get("/api/v1/programs/").json()["results"]}
    assert {"PANGAN", "PENDIDIKAN", "SENI_BUDAYA"} <= codes
    items = api.get("/api/v1/items/", {"program": don.pangan.pk}).json()["results"]
    assert {"Paket sembako", "Parsel Lebaran"} <= {i["name"] for i in items}
    assert all(i["program_code"] == "PANGAN" for i in items)
    assert api.post("/api/v1/items/", {}).status_code == 405  # read only


def test_verified_aggregators_are_public(api_for, cast, don):
    from django.utils import timezone

    from ksbb.donations.services import aggregator_register

    aggregator_register(name="Belum Diverifikasi", licence_number="X",
                        licence_valid_until=timezone.localdate(), by=SETUP)
    names = [a["name"] for a in api_for(None).get("/api/v1/aggregators/").json()["results"]]
    assert names == ["BAZNAS DKI", "Lembaga Lain"]


def test_collaborator_creates_goods_pledge(api_for, cast, don):
    response = api_for(cast.collaborator).post("/api/v1/pledges/", {
        "aggregator": cast.aggregator_org.pk, "item": don.sembako.pk, "quantity": 50,
        "preferred_area": "31.71.01.1001"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "submitted" and body["kind"] == "goods"
    assert body["collaborator"] == cast.collaborator_org.pk
    assert body["preferred_area"] == "31.71.01.1001"


def test_collaborator_creates_money_pledge(api_for, cast, don):
    response = api_for(cast.collaborator).post("/api/v1/pledges/", {
        "aggregator": cast.aggregator_org.pk, "program": don.pangan.pk,
        "amount_rupiah": 5_000_000}, format="json")
    assert response.status_code == 201
    assert response.json()["amount_rupiah"] == 5_000_000


@pytest.mark.parametrize(("payload", "field"), [
    ({"quantity": 0}, "quantity"),
    ({"quantity": -3}, "quantity"),
    ({"quantity": None}, "quantity"),
])
def test_create_refusals_are_400_with_field_names(api_for, cast, don, payload, field):
    data = {"aggregator": cast.aggregator_org.pk, "item": don.sembako.pk, **payload}
    response = api_for(cast.collaborator).post("/api/v1/pledges/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Pledge.objects.exists()


def test_create_refuses_unverified_aggregator(api_for, cast, don):
    from ksbb.donations.models import AggregatorProfile

    AggregatorProfile.objects.filter(organization=cast.aggregator_org).update(verified_at=None)
    response = api_for(cast.collaborator).post("/api/v1/pledges/", {
        "aggregator": cast.aggregator_org.pk, "item": don.sembako.pk, "quantity": 1},
        format="json")
    assert response.status_code == 400 and "aggregator" in response.json()


def test_create_by_non_collaborator(api_for, cast, don):
    response = api_for(cast.aggregator).post("/api/v1/pledges/", {
        "aggregator": cast.aggregator_org.pk, "item": don.sembako.pk, "quantity": 1},
        format="json")
    assert response.status_code == 403  # refused before the form is checked
    response = api_for(cast.aggregator).post("/api/v1/pledges/", {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "item": don.sembako.pk, "quantity": 1}, format="json")
    assert response.status_code == 403
    assert api_for(None).post("/api/v1/pledges/", {}).status_code in (401, 403)


@pytest.mark.parametrize(("who", "sees"), [
    ("admin", True), ("assessor", True), ("aggregator", True), ("collaborator", True),
    ("outsider", False), ("executor", False), ("kelurahan", False), ("ketua_rw", False)])
def test_visibility_list_and_retrieve(api_for, cast, pledge, who, sees):
    api = api_for(cast.users[who])
    ids = [p["id"] for p in api.get("/api/v1/pledges/").json()["results"]]
    assert ids == ([pledge.pk] if sees else [])
    assert api.get(f"/api/v1/pledges/{pledge.pk}/").status_code == (200 if sees else 404)


def test_outsider_cannot_act_on_anothers_pledge(api_for, cast, pledge):
    api = api_for(cast.outsider)
    for verb, data in [("receive", {"received_quantity": 1}), ("reject", {"reason": "x"}),
                       ("cancel", {"reason": "x"})]:
        assert api.post(f"/api/v1/pledges/{pledge.pk}/{verb}/", data,
                        format="json").status_code == 404
    assert Pledge.objects.get(pk=pledge.pk).state == "submitted"


def test_receive_through_the_api(api_for, cast, pledge):
    api = api_for(cast.aggregator)
    response = api.post(f"/api/v1/pledges/{pledge.pk}/receive/", {"received_quantity": 101},
                        format="json")
    assert response.status_code == 400 and "received_quantity" in response.json()
    response = api.post(f"/api/v1/pledges/{pledge.pk}/receive/", {"received_quantity": 90},
                        format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "received" and response.json()["received_quantity"] == 90
    response = api.post(f"/api/v1/pledges/{pledge.pk}/receive/", {"received_quantity": 90},
                        format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


@pytest.mark.parametrize("who", ["collaborator", "admin", "assessor"])
def test_receive_by_others_who_can_see_is_403(api_for, cast, pledge, who):
    response = api_for(cast.users[who]).post(f"/api/v1/pledges/{pledge.pk}/receive/",
                                             {"received_quantity": 1}, format="json")
    assert response.status_code == 403


def test_reject_and_cancel_through_the_api(api_for, cast, pledge, don):
    response = api_for(cast.aggregator).post(f"/api/v1/pledges/{pledge.pk}/reject/",
                                             {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api_for(cast.collaborator).post(f"/api/v1/pledges/{pledge.pk}/reject/",
                                               {"reason": "x"}, format="json")
    assert response.status_code == 403
    response = api_for(cast.collaborator).post(f"/api/v1/pledges/{pledge.pk}/cancel/",
                                               {"reason": "Berubah pikiran"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    response = api_for(cast.aggregator).post(f"/api/v1/pledges/{pledge.pk}/reject/",
                                             {"reason": "x"}, format="json")
    assert response.status_code == 400


def test_purchases(api_for, cast, don):
    money = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                          program=don.pangan, amount=900_000, by=cast.collaborator)
    pledge_receive(pledge=money, received_amount=900_000, by=cast.aggregator)
    payload = {"item": don.sembako.pk, "quantity": 3, "cost_rupiah": 900_000,
               "supplier": "Toko Sembako Makmur",
               "funding": [{"pledge": money.pk, "amount_rupiah": 900_000}]}
    assert api_for(cast.outsider).post("/api/v1/purchases/", payload,
                                       format="json").status_code == 400  # pledge unknown
    response = api_for(cast.aggregator).post("/api/v1/purchases/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["fundings"] == [{"pledge": money.pk, "amount_rupiah": 900_000, "units": 3}]
    again = api_for(cast.aggregator).post("/api/v1/purchases/", payload, format="json")
    assert again.status_code == 400 and "funding" in again.json()
    for who, count in [("collaborator", 1), ("aggregator", 1), ("assessor", 1),
                       ("outsider", 0)]:
        listed = api_for(cast.users[who]).get("/api/v1/purchases/").json()["results"]
        assert len(listed) == count
    assert api_for(cast.outsider).get(f"/api/v1/purchases/{body['id']}/").status_code == 404


def test_schema_documents_the_donation_resources(api_for):
    schema = api_for(None).get("/api/schema/").content.decode()
    for path in ["/api/v1/programs/", "/api/v1/items/", "/api/v1/pledges/{id}/receive/",
                 "/api/v1/pledges/{id}/reject/", "/api/v1/pledges/{id}/cancel/",
                 "/api/v1/purchases/"]:
        assert path in schema


def test_nik_never_leaves_in_full(api_for, cast, don):
    from ksbb.donations.services import collaborator_register

    profile = collaborator_register(kind="individual", name="Budi", email="budi@example.com",
                                    password="correct-horse-battery-9",
                                    nik="3171011205900001", send_verification=False)
    user = profile.organization.memberships.get().user
    pledge_submit(collaborator=profile.organization, aggregator=cast.aggregator_org,
                  item=don.sembako, quantity=1, by=user)
    for who in (user, cast.assessor, cast.aggregator):
        api = api_for(who)
        for url in ["/api/v1/pledges/", "/api/v1/organizations/"]:
            assert "3171011205900001" not in api.get(url).content.decode()


def test_receipt_pdf_through_the_api(api_for, cast, pledge):
    url = f"/api/v1/pledges/{pledge.pk}/receipt/"
    response = api_for(cast.collaborator).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400  # not received yet
    assert "confirms receipt" in response.json()["non_field_errors"][0]
    pledge_receive(pledge=pledge, received_quantity=95, by=cast.aggregator)
    for who in ("collaborator", "aggregator"):
        response = api_for(cast.users[who]).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    assert api_for(cast.outsider).get(url).status_code == 404
    assert api_for(cast.assessor).get(url).status_code == 403
    assert api_for(None).get(url).status_code in (401, 403)


def test_schema_documents_the_receipt(api_for):
    schema = api_for(None).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/pledges/{id}/receipt/"]["get"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
