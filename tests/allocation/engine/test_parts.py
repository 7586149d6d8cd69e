"""A problem solved part by part, each part through JSON as a background worker on another
machine would get it, combines into exactly the plan of ``solve``."""

from __future__ import annotations

import json

import pytest

from ksbb.allocation.engine import load_problem, solve
from ksbb.allocation.engine.families import FAMILIES, generate, medium_villages
from ksbb.allocation.engine.parts import Part, PartResult, combine, solve_part, split


@pytest.mark.parametrize("family", FAMILIES)
def test_parts_through_json_combine_into_the_plan_of_solve(family: str) -> None:
    problem = load_problem(generate(family, 7, medium_villages()[:40], recipients=300,
                                    pledges=120, items=3))
    parts = [Part.from_dict(json.loads(json.dumps(p.to_dict()))) for p in split(problem)]
    # Solved in reverse order, as independent workers may finish.
    results = [PartResult.from_dict(json.loads(json.dumps(solve_part(p).to_dict())))
               for p in reversed(parts)]
    expected = solve(problem).to_dict()
    got = combine(problem, results, 0.0).to_dict()
    for plan in (expected, got):
        plan["summary"].pop("solve_seconds")
    assert got == expected
    assert [p.index for p in parts] == list(range(len(parts)))
