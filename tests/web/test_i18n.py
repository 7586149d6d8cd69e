from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

PO = Path(settings.PACKAGE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_indonesian_translation():
    po = polib.pofile(str(PO))
    assert not [e.msgid for e in po.untranslated_entries()]
    assert not [e.msgid for e in po.fuzzy_entries()]


def test_the_shipped_catalogue_is_compiled_from_the_po_file():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(PO)).translated_entries()}
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(PO.with_suffix(".mo")))}
    assert po == {k: v for k, v in mo.items() if k}, "run: make messages"


def test_indonesian_by_default_english_on_request():
    client = Client()
    body = client.get("/").content.decode()
    assert '<html lang="id">' in body and "Masuk" in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body and "Sign in" in body


def test_switcher_lists_both_languages():
    client = Client()
    body = client.get("/").content.decode()
    assert 'value="id"' in body and 'value="en"' in body


def test_pages_ignore_the_browsers_language_but_the_api_honours_it():
    client = Client()
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="id">' in body
    response = client.get("/api/v1/areas/", {"level": "galaxy"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "en"
    response = client.get("/api/v1/areas/", {"level": "galaxy"})
    assert response.headers["Content-Language"] == "id"
