"""``python -m ksbb.verify`` stands alone: no Django, no database; and it works over HTTP
(urllib) against a running site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ksbb.core.audit import audit_log
from ksbb.proofs.services import checkpoint_make
from tests.conftest import SETUP

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env["PYTHONPATH"] = SRC
    return env


def test_imports_no_django():
    code = ("import sys, ksbb.verify.__main__, ksbb.verify.client, ksbb.verify.merkle, "
            "ksbb.verify.statements\n"
            "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith("
            "('django.', 'ksbb.core', 'ksbb.proofs', 'psycopg', 'rest_framework')))\n"
            "assert not bad, bad\nprint('standalone')")
    out = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "standalone", out.stderr
    out = subprocess.run([sys.executable, "-m", "ksbb.verify", "--help"], env=_env(),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "update" in out.stdout


@pytest.mark.django_db(transaction=True)
def test_cli_over_http(live_server, tmp_path, settings):
    settings.KSBB_PUBLIC_URL = live_server.url
    for i in range(6):
        audit_log(actor=SETUP, action="test.event", object_type="test", object_id=str(i))
    checkpoint_make()
    state = tmp_path / "state.json"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ksbb.verify", "--state", str(state),
                               *args], env=_env(), capture_output=True, text=True,
                              timeout=120)

    first = run("update", live_server.url)
    assert first.returncode == 0 and "OK" in first.stdout, first.stdout + first.stderr
    for i in range(3):
        audit_log(actor=SETUP, action="test.event", object_type="test", object_id=f"n{i}")
    checkpoint_make()
    second = run("audit", live_server.url)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "consistent with 1 saved before" in second.stdout
    assert "recomputed the tree of 9 digests" in second.stdout
    status = run("status")
    assert status.stdout.count("checkpoint ") == 2
    unreachable = run("update", "http://127.0.0.1:9/")
    assert unreachable.returncode == 2
