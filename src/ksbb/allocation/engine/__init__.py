"""Allocation engine: a pure library (no Django, no database).

problem = load_problem(json.load(f))   # raises ProblemError naming the bad record
plan = solve(problem)
json.dump(plan.to_dict(), out)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .plan import Allocation, GroupSummary, NeedResult, Plan, Summary
from .problem import Need, Pledge, Problem, ProblemError, load_problem
from .solve import SolverError, default_workers, no_gc, solve

__all__ = [
    "Allocation",
    "GroupSummary",
    "Need",
    "NeedResult",
    "Plan",
    "Pledge",
    "Problem",
    "ProblemError",
    "SolverError",
    "Summary",
    "default_workers",
    "load_problem",
    "run_file",
    "solve",
]


def run_file(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    *,
    workers: int | None = None,
) -> Plan:
    """Read a problem from JSON, solve it, write the plan as JSON.

    `workers`: processes for independent parts; None picks one per core on big problems. The
    plan does not depend on it. The output file is written only on success (through a
    temporary file and a rename, so a crash never leaves half a plan). Raises ProblemError for
    invalid content, including malformed JSON; OSError (e.g. FileNotFoundError) for
    unreadable input.
    """
    with no_gc():
        return _run_file(input_path, output_path, workers)


def _run_file(
    input_path: str | os.PathLike[str], output_path: str | os.PathLike[str], workers: int | None
) -> Plan:
    raw = Path(input_path).read_bytes()
    try:
        data = _loads(raw)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, orjson's error
        if isinstance(exc, UnicodeDecodeError):
            raise
        raise ProblemError(f"{input_path}: not valid JSON: {exc}") from exc
    problem = load_problem(data)
    plan = solve(problem, workers=default_workers(problem) if workers is None else workers)
    out = Path(output_path)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_dumps(plan.to_dict()))
            f.write(b"\n")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return plan


try:  # orjson reads and writes national plans 3-5x faster than the standard library
    import orjson

    def _loads(raw: bytes) -> Any:
        return orjson.loads(raw)

    def _dumps(value: Any) -> bytes:
        return orjson.dumps(value)

except ImportError:  # pragma: no cover - orjson is a dependency; kept for bare installs
    import json

    def _loads(raw: bytes) -> Any:
        return json.loads(raw.decode("utf-8"))

    def _dumps(value: Any) -> bytes:
        # No indent: the C encoder only runs without it.
        return json.dumps(value, ensure_ascii=False).encode()
