"""A missing page or a server error answers in the site's layout and language, with a way
back (issue 15), not Django's bare English "Not Found"."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.utils import translation

from ksbb.web.middleware import server_error


def test_not_found_in_indonesian_with_a_way_back(db):  # type: ignore[no-untyped-def]
    c = Client()
    c.cookies["django_language"] = "id"
    response = c.get("/tidak-ada/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in body
    assert '<header class="site">' in body and 'href="/"' in body
    assert "/tidak-ada/" in body
    assert "<h1>Not Found</h1>" not in body


def test_not_found_keeps_the_signed_in_header(cast, client_for):  # type: ignore[no-untyped-def]
    response = client_for(cast.executor).get("/field/nothing-here/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and 'href="/field/deliveries/"' in body


def test_server_error_page(db):  # type: ignore[no-untyped-def]
    with translation.override("id"):
        response = server_error(RequestFactory().get("/x/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan" in body and '<header class="site">' in body
    assert 'href="/"' in body
