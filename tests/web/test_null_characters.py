"""A NUL character in a query or form value is refused with 400, never a server error
(PostgreSQL cannot compare text with NUL in it)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("url", [
    "/api/v1/stats/dashboard/?program=%00",
    "/api/v1/areas/?search=a%00b",
    "/?regency=31.71%00",
    "/coverage/?within=%00",
    "/areas/search/?field=area&area=Gam%00bir",
])
def test_query_with_nul_is_refused(client, db, url):  # type: ignore[no-untyped-def]
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert b"null character" in response.content


def test_form_with_nul_is_refused(client, db):  # type: ignore[no-untyped-def]
    response = client.post("/accounts/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400


def test_indonesian_by_default(db):  # type: ignore[no-untyped-def]
    from django.test import Client

    response = Client().get("/coverage/?within=%00")
    assert response.status_code == 400
    assert "karakter" in response.content.decode()
