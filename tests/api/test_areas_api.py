import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(jakarta) -> APIClient:  # type: ignore[no-untyped-def]
    return APIClient()


def test_root_lists_resources(api):
    body = api.get("/api/v1/").json()
    assert body["areas"].endswith("/api/v1/areas/")


def test_filter_by_level_and_parent(api):
    body = api.get("/api/v1/areas/", {"level": "regency", "parent": "31"}).json()
    assert body["count"] == 6
    assert {a["code"] for a in body["results"]} >= {"31.71", "31.74", "31.01"}
    assert api.get("/api/v1/areas/", {"level": 3, "parent": "31.71"}).json()["count"] == 8


def test_within_and_search(api):
    body = api.get("/api/v1/areas/", {"within": "31.71.01", "level": "rw"}).json()
    assert [a["code"] for a in body["results"]] == [
        "31.71.01.1001.001", "31.71.01.1001.002", "31.71.01.1002.001"]
    body = api.get("/api/v1/areas/", {"search": "gambir", "level": "village"}).json()
    assert [a["code"] for a in body["results"]] == ["31.71.01.1001"]


def test_retrieve_by_code(api):
    body = api.get("/api/v1/areas/31.71.01.1001/").json()
    assert body["name"] == "Gambir" and body["level_name"] == "village"
    assert body["parent"] == "31.71.01"
    assert api.get("/api/v1/areas/31.99/").status_code == 404


def test_bad_level_is_a_400_naming_the_field(api):
    response = api.get("/api/v1/areas/", {"level": "galaxy"})
    assert response.status_code == 400
    assert "level" in response.json()


def test_schema_and_docs_are_served(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/areas/{code}/" in schema.json()["paths"]
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    # Served from the vendored copy: the machines have no internet.
    assert b"cdn." not in docs.content


def test_token_authentication(cast, capsys):
    call_command("issue_token", "aggregator")
    token = capsys.readouterr().out.strip()
    call_command("issue_token", "aggregator")
    assert capsys.readouterr().out.strip() == token  # stable until rotated
    client = APIClient()
    assert client.get("/api/v1/organizations/").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    names = [o["name"] for o in client.get("/api/v1/organizations/").json()["results"]]
    assert names == ["BAZNAS DKI"]


def test_organization_object_level(cast):
    client = APIClient()
    client.force_authenticate(cast.outsider)
    assert client.get(f"/api/v1/organizations/{cast.aggregator_org.pk}/").status_code == 404
    assert client.get(f"/api/v1/organizations/{cast.outsider_org.pk}/").status_code == 200
    client.force_authenticate(cast.assessor)
    assert client.get(f"/api/v1/organizations/{cast.aggregator_org.pk}/").status_code == 200


def test_issue_token_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("issue_token", "nobody")


def test_q_finds_places_as_people_type_them(api):
    """The area picker's search (issue 15) in the API: names, not only codes."""
    body = api.get("/api/v1/areas/", {"q": "Gambir RW 1"}).json()
    assert [a["code"] for a in body["results"]] == ["31.71.01.1001.001"]
    body = api.get("/api/v1/areas/", {"q": "gamb"}).json()
    codes = [a["code"] for a in body["results"]]
    assert codes[:2] == ["31.71.01.1001", "31.71.01"]  # villages first, then districts
    assert api.get("/api/v1/areas/", {"q": "Xyzzy"}).json()["count"] == 0
