"""Production settings (README, Deployment): `ksbb check --deploy` is clean, and behind a
TLS-terminating proxy the responses carry HSTS, secure cookies and the HTTPS redirect, with
/healthz still answering plain HTTP for the load balancer.

Each case runs in a new process with the production environment, since settings are read
from the environment once, at start-up.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

HOST = "ksbb.example.go.id"


def _production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSBB_")}
    # The database URL is kept: the check reads it (PostgreSQL in CI's second run) but
    # does not connect.
    if "KSBB_DATABASE_URL" in os.environ:
        env["KSBB_DATABASE_URL"] = os.environ["KSBB_DATABASE_URL"]
    env.update({
        "KSBB_DATA_DIR": str(data_dir),
        "KSBB_SECURE": "1",
        "KSBB_DEBUG": "0",
        "KSBB_SECRET_KEY": secrets.token_urlsafe(60),
        "KSBB_ALLOWED_HOSTS": HOST,
        "KSBB_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "KSBB_PUBLIC_URL": f"https://{HOST}",
        **extra,
    })
    return env


@pytest.mark.parametrize("preload", ["0", "1"])
def test_check_deploy_is_clean_with_production_settings(tmp_path: Path, preload: str):
    result = subprocess.run(
        [sys.executable, "-m", "ksbb.cli", "check", "--deploy", "--fail-level", "DEBUG"],
        env=_production_env(tmp_path, KSBB_HSTS_PRELOAD=preload),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_warns_without_tls(tmp_path: Path):
    """The clean result above is earned: the same check run plainly does warn."""
    env = _production_env(tmp_path, KSBB_SECURE="0")
    result = subprocess.run(
        [sys.executable, "-m", "ksbb.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


# Requests made with Django's test client inside a production-configured process; prints
# what the test asserts on as JSON.
_REQUESTS = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksbb.settings")
import django
django.setup()
from django.test import Client
HOST = %r
client = Client(HTTP_HOST=HOST)
out = {}
def record(name, response):
    out[name] = {"status": response.status_code, "headers": dict(response.headers),
                 "location": response.get("Location"),
                 "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                                 "samesite": m["samesite"]} for k, m in response.cookies.items()}}
record("plain", client.get("/accounts/login/"))
record("healthz", client.get("/healthz"))
record("tls", client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https"))
print(json.dumps(out))
"""


def _requests(tmp_path: Path, **extra: str) -> dict[str, dict]:
    env = _production_env(tmp_path, **extra)
    # /healthz asks the database: an empty SQLite file in the temporary folder will do.
    env.pop("KSBB_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", _REQUESTS % HOST], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_tls_hsts_secure_cookies_and_redirect(tmp_path: Path):
    out = _requests(tmp_path)
    # Plain HTTP is sent to HTTPS, except the load balancer's probe.
    assert out["plain"]["status"] == 301
    assert out["plain"]["location"] == f"https://{HOST}/accounts/login/"
    assert out["healthz"]["status"] == 200
    assert "Strict-Transport-Security" not in out["healthz"]["headers"]

    tls = out["tls"]
    assert tls["status"] == 200
    headers = tls["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csp = headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.split()[0] == "script-src")
    assert script_src.split()[1:] == ["'self'"]
    assert "'unsafe-inline'" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    csrf = tls["cookies"]["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


def test_hsts_preload_and_report_only_are_opt_in(tmp_path: Path):
    out = _requests(tmp_path, KSBB_HSTS_PRELOAD="1", KSBB_CSP_REPORT_ONLY="1",
                    KSBB_CSP_REPORT_URI="/csp-report/")
    headers = out["tls"]["headers"]
    assert headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload")
    assert "Content-Security-Policy" not in headers
    report_only = headers["Content-Security-Policy-Report-Only"]
    assert "script-src 'self'" in report_only and "report-uri /csp-report/" in report_only


def _deploy_check(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ksbb.cli", "check", "--deploy", "--fail-level", "ERROR"],
        env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_check_deploy_names_what_several_nodes_must_share(tmp_path: Path):
    env = _production_env(tmp_path, KSBB_NODES="2",
                          KSBB_DATABASE_URL=f"sqlite:///{tmp_path}/ksbb.sqlite3")
    del env["KSBB_SECRET_KEY"]
    out = _deploy_check(env)
    for code, words in [("ksbb.W101", "SQLite"), ("ksbb.W102", "KSBB_CACHE_URL=redis"),
                        ("ksbb.W103", "KSBB_STORAGE_URL"), ("ksbb.W104", "KSBB_SECRET_KEY"),
                        ("ksbb.W109", "KSBB_HOUSEHOLD_KEY"), ("ksbb.W110", "KSBB_SIGNING_KEY")]:
        assert code in out and words in out, out


def test_check_deploy_is_clean_for_a_complete_multi_node_setup(tmp_path: Path):
    env = _production_env(
        tmp_path, KSBB_NODES="2",
        KSBB_DATABASE_URL="postgres://ksbb@db.internal:5432/ksbb",
        KSBB_CACHE_URL="redis://cache.internal:6379/0",
        KSBB_STORAGE_URL="s3://AK:SK@objects.internal:443/ksbb?region=id-jkt",
        KSBB_HOUSEHOLD_KEY="k" * 20 + "ey-of-the-household-hashes-x",
        KSBB_SIGNING_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
    out = _deploy_check(env)
    assert "ksbb.W10" not in out and "ksbb.W11" not in out and "no issues" in out, out


@pytest.mark.parametrize("url,code", [
    (None, "ksbb.W105"), ("ksbb.example.go.id", "ksbb.W106"),
    ("https://elsewhere.example.org", "ksbb.W107"), (f"http://{HOST}", "ksbb.W108")])
def test_check_deploy_warns_about_the_public_address(tmp_path: Path, url, code):  # type: ignore[no-untyped-def]
    env = _production_env(tmp_path)
    if url is None:
        del env["KSBB_PUBLIC_URL"]
    else:
        env["KSBB_PUBLIC_URL"] = url
    assert code in _deploy_check(env)
