"""Every error message is translated: a sample of API validation errors and page form
errors, asked for in English and in Indonesian (pages: no language cookie; API:
Accept-Language id). No English text of the English answer may appear in the Indonesian
one, and the Indonesian answer reports the same fields.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import VILLAGE_A

ERROR_MARKUP = re.compile(
    r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>'
    r'|<(?:span|div|p) class="error"[^>]*>(.*?)</(?:span|div|p)>', re.S)


def _page_errors(body: str) -> list[str]:
    texts = []
    for match in ERROR_MARKUP.finditer(body):
        inner = match.group(1) or match.group(2) or ""
        for piece in re.split(r"</li>|<br\s*/?>", inner):
            text = html.unescape(re.sub(r"<[^>]+>", " ", piece)).strip()
            if re.search(r"[A-Za-z]{3}", text):
                texts.append(" ".join(text.split()))
    return texts


def _api_errors(data: Any, path: str = "") -> dict[str, str]:
    """{"field.0": message} for every message string in a DRF error body."""
    if isinstance(data, dict):
        return {k: v for key, value in data.items()
                for k, v in _api_errors(value, f"{path}.{key}".strip(".")).items()}
    if isinstance(data, list):
        return {k: v for i, value in enumerate(data)
                for k, v in _api_errors(value, f"{path}.{i}".strip(".")).items()}
    return {path: str(data)}


def _as(user: Any, client_for: Any, indonesian: bool) -> Client:
    c = client_for(user)
    if indonesian:
        del c.cookies["django_language"]  # pages: Indonesian unless the switcher says so
    return c


API_SAMPLES = [
    # (who, method, path, body)
    ("collaborator", "post", "/api/v1/pledges/", {}),
    ("collaborator", "post", "/api/v1/pledges/", {"aggregator": "{aggregator_org}",
                                                  "item": "{sembako}", "quantity": -5}),
    (None, "post", "/api/v1/reports/", {"category": "nope", "area": "99.99"}),
    ("assessor", "post", "/api/v1/rounds/", {"name": "", "program": "NOPE",
                                             "period_start": "kemarin"}),
    ("assessor", "post", "/api/v1/needs/", {"round": "{round}", "recipient": "{recipient}",
                                            "item": "tidak-ada", "quantity": -1,
                                            "priority": 9}),
    ("collaborator", "post", "/api/v1/ideas/", {"title": ""}),
    (None, "get", "/api/v1/stats/dashboard/?start=2020-02-01&end=2020-01-01", None),
]

PAGE_SAMPLES = [
    (None, "/reports/new/", {"category": "", "area": "99.99", "description": ""}),
    (None, "/donations/register/", {"email": "bukan-email"}),
    (None, "/accounts/login/", {"username": "siapa", "password": "salah"}),
    ("assessor", "/backoffice/rounds/new/", {"name": "", "period_start": "kemarin"}),
    ("collaborator", "/donations/pledges/new/", {"quantity": "-3"}),
]


def _fill(value: Any, cast: Any, world: Any) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, cast, world) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        name = value[1:-1]
        obj = getattr(world, name, None) or getattr(world.don, name, None) or getattr(cast,
                                                                                      name)
        return obj.pk
    return value


@pytest.mark.parametrize("who,method,path,body", API_SAMPLES,
                         ids=[f"{m} {p.split('?')[0]}" for _, m, p, _ in API_SAMPLES])
def test_api_errors_are_translated(who, method, path, body, cast, world,  # type: ignore[no-untyped-def]
                                   client_for):
    user = getattr(cast, who) if who else None
    answers = {}
    for lang in ("en", "id"):
        c = _as(user, client_for, indonesian=True)  # the API goes by Accept-Language
        send = c.post if method == "post" else c.get
        kwargs = {"content_type": "application/json"} if method == "post" else {}
        response = send(path, _fill(body, cast, world) if body else None,
                        HTTP_ACCEPT_LANGUAGE=lang, **kwargs)
        assert response.status_code == 400, (lang, response.content)
        answers[lang] = _api_errors(response.json())
    english, indonesian = answers["en"], answers["id"]
    assert english and set(english) == set(indonesian)
    leaked = {k: v for k, v in indonesian.items()
              if re.search(r"[A-Za-z]{3}", v) and v == english[k]}
    assert not leaked, f"English text in the Indonesian answer: {leaked}"


@pytest.mark.parametrize("who,path,form", PAGE_SAMPLES, ids=[p for _, p, _ in PAGE_SAMPLES])
def test_page_form_errors_are_translated(who, path, form, cast, world,  # type: ignore[no-untyped-def]
                                         client_for):
    user = getattr(cast, who) if who else None
    english_page = _as(user, client_for, False).post(path, form).content.decode()
    indonesian_page = _as(user, client_for, True).post(path, form).content.decode()
    english = _page_errors(english_page)
    indonesian = _page_errors(indonesian_page)
    assert english, f"no form errors found on {path}"
    assert len(indonesian) == len(english)
    unescaped = html.unescape(indonesian_page)
    leaked = [text for text in english if text in unescaped]
    assert not leaked, f"English text on the Indonesian page {path}: {leaked}"


def test_error_markup_is_found() -> None:
    """The extraction above sees the markup the templates use."""
    assert _page_errors('<ul class="errorlist"><li>This field is required.</li></ul>'
                        '<span class="error">bad</span><div class="error" role="alert">'
                        'Wrong password</div>') == ["This field is required.", "bad",
                                                    "Wrong password"]
    assert VILLAGE_A  # the cast's village, used by the samples' world
