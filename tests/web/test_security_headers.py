"""Security headers on every page (issue 7): a Content-Security-Policy without inline code,
framing refused, a Permissions-Policy; and templates that keep to that policy (no inline
scripts, handlers or styles), so a browser under the CSP renders them whole.

Production's KSBB_SECURE=1 headers (HSTS, secure cookies, HTTPS redirect) are checked in
tests/ops/test_check_deploy.py, in a process started with the production environment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def _policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/", "/coverage/", "/accounts/login/", "/api/docs/",
                                  "/admin/login/", "/reports/new/"])
def test_pages_carry_a_strict_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = _policy(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no page asks for a nonce, none is inline
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response


def test_other_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "geolocation", "microphone", "payment", "usb"):
        assert f"{feature}=()" in permissions
    # Plain HTTP in development: no HSTS, no redirect, cookies not marked Secure.
    assert "Strict-Transport-Security" not in response
    assert not settings.SECURE_SSL_REDIRECT


def test_the_csrf_cookie_is_out_of_reach_of_scripts(client):
    response = client.get("/accounts/login/")
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"] is True
    # ... which htmx does not need: its forms post the token as a hidden field.
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_api_docs_load_their_start_up_script_from_a_url(client):
    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in page
    src = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', page)
    assert src, page
    script = client.get(src.group(1).replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_the_language_switcher_works_without_an_inline_handler(client):
    page = client.get("/").content.decode()
    assert re.search(r'<select id="lang-select" name="language" data-autosubmit>', page)
    assert "ksbb/js/site.js" in page
    assert '"includeIndicatorStyles":false' in page  # htmx injects no <style>


_COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", flags=re.S)
_INLINE = {
    "style attribute": re.compile(r"\sstyle\s*="),
    "<style> block": re.compile(r"<style[\s>]"),
    # A JSON data block is not run, so the CSP allows it.
    "inline <script>": re.compile(
        r"<script(?![^>]*\s(?:src=|type=\"application/(?:ld\+)?json\"))[^>]*>"),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", flags=re.I),
    "javascript: URL": re.compile(r"javascript:", flags=re.I),
}


def _templates() -> list[Path]:
    # E-mail bodies are read in mail clients, never served under the site's CSP, and many
    # clients drop <style> blocks: their inline styles are the norm there.
    return sorted(p for p in Path(settings.PACKAGE_DIR).rglob("*.html")
                  if "templates" in p.parts and not p.name.startswith("email"))


def test_no_template_has_inline_scripts_handlers_or_styles():
    """The CSP refuses them; the browser test only sees the pages it opens, this sees all."""
    assert len(_templates()) > 40
    found = []
    for path in _templates():
        text = _COMMENTS.sub("", path.read_text())
        for what, pattern in _INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(settings.PACKAGE_DIR)}:{line}: {what}")
    assert not found, "\n".join(found)
