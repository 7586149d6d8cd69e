import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_and_out(cast):
    client = Client()
    response = client.post("/accounts/login/", {"username": "assessor", "password": PASSWORD})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert "/backoffice/" in body  # the header links to the user's workspaces
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/backoffice/").status_code == 302


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
