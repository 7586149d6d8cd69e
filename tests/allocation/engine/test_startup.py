"""`ksbb allocate` pays only for what it uses: no Django, no settings, no modules the engine
does not need on its path (each costs start-up time on every call), and OpenBLAS kept to one
thread (the engine uses no BLAS; its thread pool only costs start-up time and spins)."""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import ksbb

SRC = Path(ksbb.__file__).resolve().parent.parent

# What the command must not load: Django and settings; modules replaced on the path by
# cheaper means (os functions for tempfile/pathlib, an explicit help width for shutil);
# heavy libraries the engine never needs.
NOT_LOADED = ("django", "ksbb.core", "ksbb.settings", "tempfile", "pathlib", "shutil",
              "scipy", "pandas")

PROBE = """
import os, sys
from ksbb.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(repr((code, os.environ.get("OPENBLAS_NUM_THREADS"),
            sorted(m for m in sys.modules if m.startswith(NOT_LOADED)))))
"""


def test_allocate_loads_only_what_it_needs(tmp_path: Path) -> None:
    src, out = tmp_path / "problem.json", tmp_path / "plan.json"
    src.write_text(json.dumps({
        "pledges": [{"id": "P1", "item": "rice", "quantity": 2, "area": "31.71.01.1001"}],
        "needs": [{"recipient": "A", "item": "rice", "quantity": 1, "priority": 1,
                   "area": "31.71.01.1001.001"}],
    }))
    env = {k: v for k, v in os.environ.items()
           if k not in {"OPENBLAS_NUM_THREADS", "DJANGO_SETTINGS_MODULE"}}
    env["PYTHONPATH"] = str(SRC)
    probe = f"NOT_LOADED = {NOT_LOADED!r}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", probe, "allocate", "--input", str(src), "--output", str(out)],
        env=env, capture_output=True, text=True, check=True)
    code, threads, loaded = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert (code, threads, loaded) == (0, "1", [])
    assert json.loads(out.read_text())["summary"]["allocated"] == 1
    # As tempfile.mkstemp made it, and nothing left beside it.
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "problem.json"]
