"""Problems of many shapes at medium size (about 2,000 need lines), 20 seeds per family:
the engine never fails, uses no fallback, and its plan meets rules (a)-(d) as checked by the
independent reference (ksbb.allocation.engine.reference)."""

from __future__ import annotations

import importlib

import pytest

from ksbb.allocation.engine import SolverError, load_problem, solve
from ksbb.allocation.engine.families import FAMILIES, generate, medium_villages
from ksbb.allocation.engine.reference import check_plan

SEEDS = range(20)


def _problem(family: str, seed: int) -> dict:
    return generate(family, seed, medium_villages(), recipients=1300, pledges=150)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("family", FAMILIES)
def test_family_solves_within_the_rules(family: str, seed: int) -> None:
    data = _problem(family, seed)
    plan = solve(load_problem(data))
    assert plan.summary.fallback == ()
    check_plan(data, plan.to_dict())


def _without_time(plan_dict: dict) -> dict:
    del plan_dict["summary"]["solve_seconds"]
    return plan_dict


@pytest.mark.parametrize("family", ["mixed", "restricted"])
def test_parallel_parts_give_the_serial_plan(family: str) -> None:
    data = _problem(family, 0)
    # Without unrestricted pledges the provinces are independent parts too.
    data["pledges"] = [p for p in data["pledges"] if p["restrict_to"]]
    problem = load_problem(data)
    serial = _without_time(solve(problem, workers=1).to_dict())
    parallel = _without_time(solve(problem, workers=2).to_dict())
    assert parallel == serial


def test_locality_fallback_keeps_rules_a_to_c(monkeypatch: pytest.MonkeyPatch) -> None:
    solve_mod = importlib.import_module("ksbb.allocation.engine.solve")

    def broken(*args: object, **kwargs: object) -> None:
        raise SolverError("HiGHS: numerical trouble (simulated)")

    monkeypatch.setattr(solve_mod, "_locality_flow", broken)
    data = _problem("mixed", 3)
    plan = solve(load_problem(data))
    assert plan.summary.fallback == ("locality_not_optimised",)
    assert plan.to_dict()["summary"]["fallback"] == ["locality_not_optimised"]
    check_plan(data, plan.to_dict(), cost=False)  # (a), (b), (c); (d) is what is given up


@pytest.mark.parametrize("family", ["mixed", "extremes"])
def test_fair_shares_in_python_integers_give_the_same_plan(
    family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fair shares are worked out in int64 arrays when numerators times quantities fit, else
    in Python's unbounded integers: both give the same plan."""
    data = _problem(family, 5)
    problem = load_problem(data)
    arrays = _without_time(solve(problem).to_dict())
    monkeypatch.setattr(importlib.import_module("ksbb.allocation.engine.solve"),
                        "_INT64_SAFE", 0)
    assert _without_time(solve(problem).to_dict()) == arrays
