"""Issue 14, finding 1: ``ksbb up``'s task worker died under a flood and stayed dead, so an
allocation run queued later stayed queued for good. The supervisor restarts it and logs it;
the new worker picks up what was queued."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path

from ksbb.ops.supervise import Supervisor
from tests.ops.conftest import ROOT, worker


def _wait_until(check, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_dead_worker_is_restarted_and_logged(tmp_path: Path, caplog):  # type: ignore[no-untyped-def]
    runs = tmp_path / "runs"
    code = f"open({str(runs)!r}, 'a').write('x'); import time; time.sleep(60)"
    supervisor = Supervisor([sys.executable, "-c", code], name="test worker").start()
    try:
        _wait_until(lambda: runs.exists() and runs.read_text() == "x", 10)
        first = supervisor.process
        assert first is not None
        with caplog.at_level(logging.WARNING, logger="ksbb.ops"):
            os.kill(first.pid, signal.SIGKILL)
            _wait_until(lambda: runs.read_text() == "xx", 10)
        assert supervisor.restarts == 1 and supervisor.process is not first
        assert f"the test worker (pid {first.pid}) exited with status -9" in caplog.text
        assert "running again" in caplog.text
    finally:
        supervisor.stop()
    assert supervisor.process is not None and supervisor.process.poll() is not None


def test_a_worker_that_keeps_dying_is_restarted_less_often(tmp_path: Path):  # type: ignore[no-untyped-def]
    supervisor = Supervisor([sys.executable, "-c", "raise SystemExit(3)"]).start()
    try:
        time.sleep(4)
    finally:
        supervisor.stop()
    # Back-off 2 s, 4 s, ...: at most a couple of restarts in four seconds, not eight.
    assert 1 <= supervisor.restarts <= 2


def test_a_task_queued_while_the_worker_was_dead_runs_after_the_restart(fresh):  # type: ignore[no-untyped-def]
    env = dict(fresh, PYTHONPATH=str(ROOT))
    supervisor = Supervisor([sys.executable, "-m", "ksbb.cli", "db_worker", "--interval",
                             "0.5", "--no-startup-delay"], env=env).start()
    try:
        time.sleep(1)
        first = supervisor.process
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        task = worker(env, "enqueue_ping")["id"]  # queued with no worker alive
        _wait_until(lambda: supervisor.restarts == 1, 15)
        _wait_until(lambda: worker(env, "task_status", task)["status"] == "SUCCESSFUL", 60)
    finally:
        supervisor.stop()
