"""Issue 15 point 3: a citizen checking a BAST on a phone sees at a glance whether it is
valid, superseded or not found, in their language, and what to do next."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from ksbb.distribution.services import handover_create
from tests.distribution.conftest import sign_all

pytestmark = pytest.mark.django_db


def test_an_unknown_code_gets_the_sites_page_in_indonesian(cast):  # type: ignore[no-untyped-def]
    response = Client().get("/verify/AAAABBBBCCCC/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<header class="site">' in body and 'lang="id"' in body
    assert 'data-state="not_found"' in body and "Tidak ditemukan" in body
    assert 'href="/reports/new/?bast_number=AAAABBBBCCCC"' in body
    assert 'action="/verify/"' in body  # type it again


def test_an_unknown_code_in_english(client, cast):  # type: ignore[no-untyped-def]
    body = client.get("/verify/AAAABBBBCCCC/").content.decode()
    assert "Not found" in body and "may be forged" in body


def test_the_report_form_takes_the_bast_from_the_link(client, cast):  # type: ignore[no-untyped-def]
    body = client.get("/reports/new/?bast_number=AAAABBBBCCCC").content.decode()
    assert 'name="bast_number" value="AAAABBBBCCCC"' in body


def test_valid_and_superseded_states(cast, signed):  # type: ignore[no-untyped-def]
    body = Client().get(f"/verify/{signed.code}/").content.decode()
    assert 'data-state="valid"' in body and ">Sah<" in body
    assert f'href="/reports/new/?bast_number={signed.number}"' in body
    assert "Kunci" in body or signed.seal.key_id in body  # the signing-key line stays
    line = signed.delivery.lines.get()
    new = sign_all(cast, handover_create(
        delivery=signed.delivery, date=timezone.localdate(), lines={line.pk: 39},
        address="Balai warga", supersedes=signed, correction_reason="one damaged",
        by=cast.executor))
    body = Client().get(f"/verify/{signed.code}/").content.decode()
    assert 'data-state="superseded"' in body and ">Digantikan<" in body
    assert f'href="/verify/{new.code}/"' in body


def test_the_form_redirects_to_the_code(client, cast):  # type: ignore[no-untyped-def]
    assert client.get("/verify/").status_code == 200
    response = client.get("/verify/", {"code": " 7kq2-m9xr-4hpd "})
    assert response.status_code == 302 and response["Location"] == "/verify/7KQ2M9XR4HPD/"
    pasted = client.get("/verify/", {"code": "https://ksbb.example/verify/7KQ2M9XR4HPD/#p=x"})
    assert pasted["Location"] == "/verify/7KQ2M9XR4HPD/"


@pytest.mark.parametrize("code", ["", "ABC", "7KQ2M9XR4HP0", "x" * 300])
def test_bad_input_in_the_form_is_a_translated_error(cast, code):  # type: ignore[no-untyped-def]
    response = Client().get("/verify/", {"code": code})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert ("Kode verifikasi terdiri dari 12 huruf" in body
            or "Ketik kode verifikasi yang tercetak pada BAST." in body)
