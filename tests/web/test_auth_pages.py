import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_and_out(cast):
    client = Client()
    response = client.post("/accounts/login/", {"username": "executor", "password": PASSWORD})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert "/field/" in body  # the header links to the user's workspaces
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/field/").status_code == 302


def test_no_workspace_links_before_the_second_factor(cast):
    client = Client()
    response = client.post("/accounts/login/", {"username": "assessor", "password": PASSWORD})
    assert response["Location"].startswith("/accounts/mfa/setup/")
    body = client.get(response["Location"]).content.decode()
    assert 'href="/backoffice/"' not in body  # (the step's hidden next may name it)
    assert "/donations/register/" not in body


def test_wrong_password_says_so_in_indonesian(cast):
    body = Client().post("/accounts/login/", {"username": "assessor", "password": "x"})  # id
    assert body.status_code == 200
    assert "Masukkan nama pengguna" in body.content.decode()
    assert "dan sandi yang benar" in body.content.decode()


def test_openapi_schema_has_no_warnings(tmp_path):
    # --fail-on-warn turns every schema generation warning into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file",
                 str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").stat().st_size > 1000


def test_data_licence_is_served(client):
    assert "Open Database License" in client.get("/about/data/odbl.txt").content.decode()
    assert "ODbL" in client.get("/about/data/").content.decode()
