"""Test-only pause points for the crash tests (tests/ops/test_faults.py).

``KSBB_TEST_PAUSE_AT`` is for those tests only; never set it in production. It is read
once, when this module is imported; unset (always, outside the tests) a pause point is a
string comparison and nothing else. Set to the name of a pause point, the process announces
``KSBB_TEST_PAUSED <name>`` on stderr when it gets there and then waits, still inside its
transaction, for the test to kill it (SIGKILL) and check that nothing was half written.
"""

from __future__ import annotations

import sys
import time

from ksbb.core.env import env_str

_PAUSE_AT = env_str("KSBB_TEST_PAUSE_AT", "")


def pause_point(name: str) -> None:
    if not _PAUSE_AT or name != _PAUSE_AT:
        return
    sys.stderr.write(f"KSBB_TEST_PAUSED {name}\n")
    sys.stderr.flush()
    time.sleep(600)
