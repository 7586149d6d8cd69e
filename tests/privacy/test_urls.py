"""No personal data in URLs: none in URL patterns, none asked for by a GET form, none in
the e-mail confirmation link (server logs and browser history keep URLs)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver

import ksbb
from ksbb.accounts.models import User
from ksbb.donations.services import collaborator_register, email_verification_token
from tests.conftest import PASSWORD

PERSONAL = re.compile(r"e-?mail|phone|\bhp\b|nik|full_?name|user_?name|^name$|address|"
                      r"password|contact|reporter|ktp|nama", re.IGNORECASE)
TEMPLATES = Path(ksbb.__file__).parent / "web" / "templates"


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, list[str]]]:
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            found.append((route, list(entry.pattern.regex.groupindex)))
    return found


def test_no_url_parameter_carries_personal_data():
    patterns = _patterns(get_resolver())
    assert len(patterns) > 50
    for route, groups in patterns:
        for group in groups:
            # A file name (``<str:name>`` of a guide image) is not a person's name.
            assert (group == "name" and "img" in route) or not PERSONAL.search(group), (
                route, group)


GET_FORMS_WITH_PUBLIC_FIELDS = {"_verify_code_form.html"}
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_NAME = re.compile(r"""\bname=["']([^"']+)["']""")


def test_get_forms_ask_for_no_personal_data():
    checked = 0
    for path in TEMPLATES.rglob("*.html"):
        for attrs, body in _FORM.findall(path.read_text(encoding="utf-8")):
            if re.search(r"method=[\"']?post", attrs, re.I):
                continue
            checked += 1
            # A GET form's fields end up in the URL: only filters may be there. The BAST
            # code form renders its one field by hand (a public document code, printed on
            # the paper): its inputs are still checked by name below.
            if path.name not in GET_FORMS_WITH_PUBLIC_FIELDS:
                assert "{{ form" not in body and "form.as_" not in body, path
            for name in _NAME.findall(body):
                assert not PERSONAL.search(name), (path.name, name)
    assert checked > 0


def test_email_confirmation_link_does_not_carry_the_address(jakarta):
    collaborator_register(kind="individual", name="Budi", email="budi@example.com",
                          password=PASSWORD, send_verification=True)
    user = User.objects.get(username="budi@example.com")
    token = email_verification_token(user)
    payload = token.split(":")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"budi" not in decoded.lower() and "budi" not in token.lower()
    assert not mail.outbox or "budi@example.com" not in mail.outbox[-1].body
