"""/verify/scan/ and its service worker, without a browser (tests/e2e runs them in one)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_scan_page_may_use_the_camera_and_runs_no_inline_code(client):
    r = client.get("/verify/scan/")
    assert r.status_code == 200
    assert "camera=(self)" in r["Permissions-Policy"]
    assert "script-src 'self'" in r["Content-Security-Policy"]
    body = r.content.decode()
    assert "<script>" not in body and "style=" not in body and " on" + "click" not in body
    assert "ksbb/js/verify_scan.js" in body and "ksbb/vendor/jsqr/jsQR.js" in body
    # Every other page keeps the camera off.
    assert "camera=()" in client.get("/verify/ZZZZZZZZZZZZ/")["Permissions-Policy"]


def test_service_worker_is_served_from_the_page_folder(client):
    r = client.get("/verify/scan/sw.js")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/javascript")
    assert r["Cache-Control"] == "no-cache"
    body = r.content.decode()
    for url in ("/verify/scan/", "/.well-known/ksbb-keys.json", "/static/ksbb/js/verify_scan.js",
                "/static/ksbb/vendor/noble-ed25519/index.js"):
        assert f'"{url}"' in body, url
