"""The shared page helpers: refusals on forms, files handed over, the safe ``next``."""

from __future__ import annotations

import io

from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from ksbb.web.errors import add_form_errors
from ksbb.web.files import file_response
from ksbb.web.redirects import safe_next


class _Form(forms.Form):
    name = forms.CharField()


def test_a_refusal_goes_on_the_field_it_names_or_on_top():
    form = _Form({"name": "x"})
    assert form.is_valid()
    add_form_errors(form, ValidationError({"name": ["taken"], "hidden": ["not shown here"]}))
    add_form_errors(form, ValidationError("closed"))
    assert form.errors["name"] == ["taken"]
    assert form.non_field_errors() == ["not shown here", "closed"]


def test_a_document_made_on_the_fly_is_downloaded_under_its_name():
    response = file_response(b"%PDF-1.4", filename="tanda-terima-7.pdf",
                             content_type="application/pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="tanda-terima-7.pdf"'
    assert response.content == b"%PDF-1.4"
    assert "Cache-Control" not in response


def test_inline_guessed_type_non_ascii_name_and_no_store():
    response = file_response(b"{}", filename="data-é.json", attachment=False,
                             cache_control="private, no-store")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''data-%C3%A9.json"
    assert response["Cache-Control"] == "private, no-store"


def test_a_stored_file_is_streamed():
    stored = io.BytesIO(b"\x89PNG...")
    response = file_response(stored, filename="nota.png", attachment=False)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="nota.png"'
    assert b"".join(response.streaming_content) == b"\x89PNG..."  # type: ignore[attr-defined]


def test_safe_next_keeps_paths_and_this_host_only():
    factory = RequestFactory()
    for url, expected in [("/donations/inbox/?page=2", "/donations/inbox/?page=2"),
                          ("http://testserver/x/", "http://testserver/x/"),
                          ("https://evil.example/", "/home/"), ("//evil.example", "/home/"),
                          ("\\\\evil.example", "/home/"), ("javascript:alert(1)", "/home/"),
                          ("", "/home/")]:
        assert safe_next(factory.post("/", {"next": url}), "/home/") == expected, url
        assert safe_next(factory.get("/", {"next": url}), "/home/") == expected, url
    # Behind TLS an http address of the same host is not followed either.
    secure = factory.get("/", {"next": "http://testserver/x/"}, secure=True)
    assert safe_next(secure, "/home/") == "/home/"
