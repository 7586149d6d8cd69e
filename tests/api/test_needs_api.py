"""Recipients, rounds and needs over the API, object level and role by role."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ksbb.core.models import AuditEntry
from ksbb.needs.models import AssessmentRound, Need, Recipient
from ksbb.needs.services import need_set
from tests.needs.conftest import food_round, orphanage  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

NOT_GOVERNMENT = ["aggregator", "executor", "kelurahan", "ketua_rw", "collaborator",
                  "outsider"]


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_recipients_are_public_without_institution_contacts(cast, orphanage):  # type: ignore[no-untyped-def]  # noqa: F811
    body = api_for(None).get("/api/v1/recipients/", {"kind": "orphanage"}).json()
    assert body["count"] == 1
    assert "contact_phone" not in body["results"][0]
    assert "address" not in body["results"][0]
    body = api_for(cast.collaborator).get(f"/api/v1/recipients/{orphanage.pk}/").json()
    assert body["name"] == "Panti Asuhan Harapan" and "contact_name" not in body
    body = api_for(cast.assessor).get(f"/api/v1/recipients/{orphanage.pk}/").json()
    assert body["contact_phone"] == "0812000" and body["contact_name"] == "Ibu Sari"


def test_recipient_filters(cast, orphanage):  # type: ignore[no-untyped-def]  # noqa: F811
    api = api_for(None)
    body = api.get("/api/v1/recipients/", {"within": "31.71.01", "kind": "rw"}).json()
    assert [r["area"] for r in body["results"]] == [
        "31.71.01.1001.001", "31.71.01.1001.002", "31.71.01.1002.001"]
    body = api.get("/api/v1/recipients/", {"within": "31.71.01.1001"}).json()
    assert body["count"] == 3  # two RWs and the orphanage on the village
    assert api.get("/api/v1/recipients/", {"verified": "true"}).json()["count"] == 5


def test_unverified_institutions_are_for_government_only(cast):  # type: ignore[no-untyped-def]
    body = {"kind": "elderly_home", "name": "Panti Werdha", "area": "31.71.01.1002",
            "residents": 30, "address": "Jl. B", "contact_name": "Pak Budi",
            "contact_phone": "0811"}
    response = api_for(cast.assessor).post("/api/v1/recipients/", body, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["is_verified"] is False
    assert api_for(None).get(f"/api/v1/recipients/{pk}/").status_code == 404
    assert api_for(cast.admin).get(f"/api/v1/recipients/{pk}/").status_code == 200
    assert api_for(cast.collaborator).post(
        f"/api/v1/recipients/{pk}/verify/").status_code == 403
    response = api_for(cast.assessor).post(f"/api/v1/recipients/{pk}/verify/")
    assert response.status_code == 200 and response.json()["is_verified"] is True
    assert api_for(None).get(f"/api/v1/recipients/{pk}/").status_code == 200


@pytest.mark.parametrize("who", [None, *NOT_GOVERNMENT])
def test_only_government_registers_institutions(cast, who):  # type: ignore[no-untyped-def]
    user = cast.users[who] if who else None
    response = api_for(user).post("/api/v1/recipients/", {
        "kind": "orphanage", "name": "X", "area": "31.71.01.1001"}, format="json")
    assert response.status_code in (401, 403)
    assert not Recipient.objects.exclude(kind="rw").exists()


def test_register_refuses_a_district(cast):  # type: ignore[no-untyped-def]
    response = api_for(cast.assessor).post("/api/v1/recipients/", {
        "kind": "orphanage", "name": "X", "area": "31.71.01"}, format="json")
    assert response.status_code == 400 and "area" in response.json()


def test_rounds_open_close(cast):  # type: ignore[no-untyped-def]
    api = api_for(cast.assessor)
    response = api.post("/api/v1/rounds/", {"name": "Pangan Juni", "program": "pangan",
                                            "period_start": "2020-06-01",
                                            "period_end": "2020-06-30"}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["state"] == "open"
    response = api.post(f"/api/v1/rounds/{pk}/close/")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    response = api.post("/api/v1/rounds/", {"name": "Bad", "program": "pangan",
                                            "period_start": "2020-06-02",
                                            "period_end": "2020-06-01"}, format="json")
    assert response.status_code == 400 and "period_end" in response.json()


@pytest.mark.parametrize("who", [None, *NOT_GOVERNMENT])
def test_rounds_and_needs_are_government_data(cast, food_round, who):  # type: ignore[no-untyped-def]  # noqa: F811
    need = need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=4,
                    priority=1, by=cast.assessor)
    api = api_for(cast.users[who] if who else None)
    expected = 403 if who else (401, 403)
    for url in ("/api/v1/rounds/", f"/api/v1/rounds/{food_round.pk}/", "/api/v1/needs/",
                f"/api/v1/needs/{need.pk}/"):
        assert api.get(url).status_code in (expected if isinstance(expected, tuple)
                                            else (expected,)), url
    response = api.post("/api/v1/needs/", {"round": food_round.pk,
                                           "recipient": cast.recipient.pk, "item": "beras",
                                           "quantity": 5, "priority": 1}, format="json")
    assert response.status_code in (401, 403)
    response = api.patch(f"/api/v1/needs/{need.pk}/", {"quantity": 99}, format="json")
    assert response.status_code in (401, 403)
    assert api.post(f"/api/v1/rounds/{food_round.pk}/close/").status_code in (401, 403)
    need.refresh_from_db()
    assert need.quantity == 4 and Need.objects.count() == 1
    assert AssessmentRound.objects.get().state == "open"


def test_needs_create_update_filter(cast, food_round, orphanage):  # type: ignore[no-untyped-def]  # noqa: F811
    api = api_for(cast.assessor)
    response = api.post("/api/v1/needs/", {"round": food_round.pk,
                                           "recipient": cast.recipient.pk, "item": "sembako",
                                           "quantity": 40, "priority": 2}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    api.post("/api/v1/needs/", {"round": food_round.pk, "recipient": orphanage.pk,
                                "item": "sembako", "quantity": 10, "priority": 1},
             format="json")
    response = api.patch(f"/api/v1/needs/{pk}/", {"quantity": 45, "recipient": orphanage.pk},
                         format="json")
    assert response.status_code == 200, response.content
    assert response.json()["quantity"] == 45
    assert response.json()["recipient"] == cast.recipient.pk  # which need it is stays fixed
    entry = AuditEntry.objects.get(action="need.updated")
    assert entry.before["quantity"] == 40 and entry.after["quantity"] == 45
    body = api.get("/api/v1/needs/", {"recipient": orphanage.pk}).json()
    assert [n["quantity"] for n in body["results"]] == [10]
    body = api.get("/api/v1/needs/", {"round": food_round.pk, "item": "sembako"}).json()
    assert body["count"] == 2
    assert api.get("/api/v1/needs/", {"within": "31.71.01.1001.001"}).json()["count"] == 1


@pytest.mark.parametrize(("quantity", "priority", "field"), [
    (0, 1, "quantity"), (-1, 1, "quantity"), (3, 4, "priority")])
def test_needs_refuse_bad_values(cast, food_round, quantity, priority, field):  # type: ignore[no-untyped-def]  # noqa: F811
    response = api_for(cast.assessor).post("/api/v1/needs/", {
        "round": food_round.pk, "recipient": cast.recipient.pk, "item": "sembako",
        "quantity": quantity, "priority": priority}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Need.objects.exists()


def test_closed_round_refuses_needs(cast, food_round):  # type: ignore[no-untyped-def]  # noqa: F811
    api = api_for(cast.assessor)
    api.post(f"/api/v1/rounds/{food_round.pk}/close/")
    response = api.post("/api/v1/needs/", {"round": food_round.pk,
                                           "recipient": cast.recipient.pk, "item": "sembako",
                                           "quantity": 3, "priority": 1}, format="json")
    assert response.status_code == 400 and "round" in response.json()


def test_schema_lists_the_new_resources(cast):  # type: ignore[no-untyped-def]
    body = api_for(None).get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/recipients/", "/api/v1/rounds/", "/api/v1/needs/",
                 "/api/v1/recipients/{id}/verify/", "/api/v1/rounds/{id}/close/"):
        assert path in body["paths"], path
