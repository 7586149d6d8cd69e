"""The README's first command, as a newcomer runs it: `ksbb up` on an empty data folder."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    # The embedded default (SQLite), whatever database the test run itself uses.
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSBB_")}
    env["KSBB_DATA_DIR"] = str(data_dir)
    return env


@pytest.mark.slow
def test_up_serves_the_site_and_a_second_run_reuses_the_data(tmp_path: Path):
    port = _free_port()
    log = (tmp_path / "up.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "ksbb.cli", "up", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path / "var"), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "up.log").read_text()
                assert time.monotonic() < deadline, "ksbb up did not serve within 90 s"
                time.sleep(0.3)
        for path in ["/", "/api/docs/", "/api/v1/areas/", "/healthz", "/static/ksbb/css/ksbb.css"]:
            with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310
                assert response.status == 200, path
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "up.log").read_text()
    assert f"KSBB serves on http://127.0.0.1:{port}/" in output
    # QR codes, PDFs and e-mails link to where this run serves, not to the default port.
    assert f"links in PDFs, QR codes and e-mails: http://127.0.0.1:{port} " in output
    assert "Demo accounts" in output and "assessor" in output
    db = sqlite3.connect(tmp_path / "var" / "ksbb.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()

    again = subprocess.run(
        [sys.executable, "-m", "ksbb.cli", "up", "--setup-only"],
        env=_env(tmp_path / "var"), capture_output=True, text=True, timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "Loading" not in again.stdout
    assert "Demo accounts" in again.stdout
    assert "two-factor sign-in" in again.stdout  # admin, assessor, aggregator enrol first
