"""Keeping ``ksbb up``'s background task worker alive.

A worker that dies (an unexpected error, the database refusing it, the kernel's OOM killer)
used to stay dead, and every task queued afterwards (allocation runs, imports) waited for
good. The supervisor notices within a second, logs it and starts a new one; a worker that
keeps dying right after its start is restarted less and less often (up to once every 30 s),
so a broken configuration does not spin the CPU. Tasks queued meanwhile stay in the
database queue and the new worker picks them up.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Sequence

log = logging.getLogger("ksbb.ops")

_POLL_SECONDS = 0.5
_HEALTHY_SECONDS = 30  # a run this long resets the back-off
_MAX_BACKOFF_SECONDS = 30


class Supervisor:
    def __init__(self, argv: Sequence[str], *, env: dict[str, str] | None = None,
                 name: str = "task worker") -> None:
        self.argv = list(argv)
        self.env = env
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"supervise {name}",
                                        daemon=True)

    def start(self) -> Supervisor:
        self._spawn()
        self._thread.start()
        return self

    def _spawn(self) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env)
        self._started_at = time.monotonic()

    def _watch(self) -> None:
        backoff = 1.0
        while not self._stopping.wait(_POLL_SECONDS):
            process = self.process
            if process is None or process.poll() is None:
                continue
            lived = time.monotonic() - self._started_at
            backoff = 1.0 if lived >= _HEALTHY_SECONDS else min(backoff * 2,
                                                                 _MAX_BACKOFF_SECONDS)
            log.error("the %s (pid %s) exited with status %s after %.0f s; restarting it in "
                      "%.0f s", self.name, process.pid, process.returncode, lived, backoff)
            if self._stopping.wait(backoff):
                return
            self._spawn()
            self.restarts += 1
            log.warning("the %s is running again (pid %s)", self.name,
                        self.process.pid if self.process else "?")

    def stop(self, timeout: float = 10) -> None:
        self._stopping.set()
        self._thread.join(timeout)
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
