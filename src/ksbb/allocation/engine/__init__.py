"""Allocation engine: a pure library (no Django, no database).

problem = load_problem(json.load(f))   # raises ProblemError naming the bad record
plan = solve(problem)
json.dump(plan.to_dict(), out)
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .plan import Allocation, GroupSummary, NeedResult, Plan, Summary
from .problem import Need, Pledge, Problem, ProblemError, load_problem
from .solve import SolverError, solve

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
    "load_problem",
    "run_file",
    "solve",
]


def run_file(input_path: str | os.PathLike[str], output_path: str | os.PathLike[str]) -> Plan:
    """Read a problem from JSON, solve it, write the plan as JSON.

    The output file is written only on success (through a temporary file and a rename, so a
    crash never leaves half a plan). Raises ProblemError for invalid content, including
    malformed JSON; OSError (e.g. FileNotFoundError) for unreadable input.
    """
    text = Path(input_path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(f"{input_path}: not valid JSON: {exc}") from exc
    plan = solve(load_problem(data))
    out = Path(output_path)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            # No indent: the C encoder only runs without it (4 s vs 0.5 s nationally).
            json.dump(plan.to_dict(), f, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return plan
