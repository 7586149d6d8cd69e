"""Crash tests: a real ``ksbb`` process is killed with SIGKILL in the middle of its work.

Afterwards nothing is half written (same counts, same audit head as before), the audit
chain verifies, and running the same job again succeeds. Each test works on its own copy
of the demo database (the ``fresh`` fixture, tests/ops/conftest.py), SQLite or PostgreSQL
like the rest of the run.

- The RW import (``ksbb load_rws``) gets a file big enough to take seconds and is killed
  as soon as it is seen writing: the SQLite write-ahead log growing past a few megabytes,
  or its INSERT running in ``pg_stat_activity``. No hook is involved.
- The allocation approval pauses, inside its transaction and after writing the
  allocations, at the test-only pause point ``allocation.run_approve``
  (``KSBB_TEST_PAUSE_AT``, see ksbb.core.faults), and is killed there.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.ops.conftest import ROOT, ksbb, pg_admin, worker

RWS_PER_VILLAGE = 200


def _kill(proc: subprocess.Popen[bytes]) -> None:
    assert proc.poll() is None, "the process finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def _writing_rws(env: dict[str, str]) -> bool:
    """Is the import inside its write, uncommitted? Seen from outside the process."""
    url = env.get("KSBB_DATABASE_URL")
    if url:
        with pg_admin(url) as admin:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active'"
                " AND query LIKE 'INSERT INTO \"areas_area\"%%'",
                [url.rsplit("/", 1)[1]]).fetchone()
        return bool(row and row[0])
    wal = Path(env["KSBB_DATA_DIR"]) / "ksbb.sqlite3-wal"
    # SQLite spills the open transaction's pages to the log once its cache (2 MB) is full.
    return wal.exists() and wal.stat().st_size > 2 * 1024 * 1024


def test_killed_rw_import_leaves_nothing_and_can_be_retried(fresh, tmp_path):  # type: ignore[no-untyped-def]
    from ksbb.areas.services import reference_rows

    villages = [r.code for r in reference_rows(["31"]) if r.level == 4]
    path = tmp_path / "rws.csv"
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["village_code", "rw", "households", "population", "poor_households"])
        for village in villages:
            for rw in range(1, RWS_PER_VILLAGE + 1):
                out.writerow([village, rw, 100 + rw % 7, 400 + rw % 11, rw % 5])
    before = worker(fresh, "state")
    assert before["audit_ok"]

    log = (tmp_path / "load.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "ksbb.cli", "load_rws", str(path)],
                            env=fresh, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while not _writing_rws(fresh):
            assert proc.poll() is None, (tmp_path / "load.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.05)
        _kill(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()

    after = worker(fresh, "state")
    assert after == before  # not one RW, recipient or audit entry more

    out = ksbb(fresh, "load_rws", str(path))
    assert "created" in out
    retried = worker(fresh, "state")
    assert retried["audit_ok"], retried["audit_problem"]
    assert retried["jakarta_rws"] == len(villages) * RWS_PER_VILLAGE
    assert retried["jakarta_rw_recipients"] == retried["jakarta_rws"]
    assert retried["rws"] - retried["jakarta_rws"] == before["rws"] - before["jakarta_rws"]
    assert retried["audit_seq"] > before["audit_seq"]


def test_killed_approval_leaves_nothing_and_can_be_retried(fresh, tmp_path):  # type: ignore[no-untyped-def]
    prepared = worker(fresh, "prepare")
    assert prepared["lines"] > 0
    before = worker(fresh, "state")
    assert before["audit_ok"] and before["runs"].get("proposed") == 1

    env = {**fresh, "KSBB_TEST_PAUSE_AT": "allocation.run_approve"}
    err_path = tmp_path / "approve.err"
    with err_path.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.ops.fault_worker", "approve", str(prepared["run"])],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 120
            while b"KSBB_TEST_PAUSED allocation.run_approve" not in err_path.read_bytes():
                assert proc.poll() is None, err_path.read_text()[-2000:]
                assert time.monotonic() < deadline, "the approval never reached its pause"
                time.sleep(0.05)
            _kill(proc)
        finally:
            if proc.poll() is None:
                proc.kill()

    after = worker(fresh, "state")
    assert after == before  # no allocation, the run still proposed, pledges unchanged

    approved = worker(fresh, "approve", str(prepared["run"]))
    assert approved["state"] == "approved" and approved["allocations"] == prepared["lines"]
    retried = worker(fresh, "state")
    assert retried["audit_ok"], retried["audit_problem"]
    assert retried["runs"].get("approved", 0) == before["runs"].get("approved", 0) + 1
    assert retried["allocations"] == before["allocations"] + prepared["lines"]
