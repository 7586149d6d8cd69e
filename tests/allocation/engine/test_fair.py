"""Stages 1 and 2 on the restriction tree (engine/fair.py) against the LP path of solve.py:
the same priority totals and the same max-min fair levels on every problem family and seed
at medium size; exact fractions on small trees worked out by hand."""

from __future__ import annotations

import importlib
from fractions import Fraction

import pytest

from ksbb.allocation.engine import load_problem, solve
from ksbb.allocation.engine.fair import fair_levels
from ksbb.allocation.engine.families import FAMILIES, generate, medium_villages
from ksbb.allocation.engine.solve import _fair_levels, _fair_levels_tree, _network, item_parts

solve_mod = importlib.import_module("ksbb.allocation.engine.solve")


@pytest.mark.parametrize("family", FAMILIES)
def test_tree_and_lp_give_the_same_totals_and_levels(family: str) -> None:
    classes = 0
    for seed in range(20):
        problem = load_problem(generate(family, seed, medium_villages(), recipients=1300,
                                        pledges=150))
        for _, _, pledges, needs in item_parts(problem):
            tree, lp = _network(pledges, needs), _network(pledges, needs)
            tree_totals = _fair_levels_tree(tree)
            lp_totals, stopped = _fair_levels(lp)
            assert not stopped
            assert tree_totals == lp_totals
            for a, b in zip(tree.classes, lp.classes, strict=True):
                assert (a.node, a.priority) == (b.node, b.priority)
                assert a.exact is not None and float(a.exact) == a.level
                assert a.level == pytest.approx(b.level, rel=1e-9, abs=1e-9), (seed, a, b)
            classes += len(tree.classes)
    assert classes > 200


def test_water_filling_by_hand() -> None:
    # Root R (supply 6) above A (supply 4). Priority 1: 3 units wanted at A. Priority 2: 10 at
    # R and 5 at A.
    res = fair_levels([-1, 0], [6, 4], [(1, 1, 3), (0, 2, 10), (1, 2, 5)])
    # Priority 1 is served in full from A's own supply; 7 of the 10 units left go to
    # priority 2. Held at A: 3. Rooted sets: {R} has ratio 6/10, {R, A} (10 - 3)/15 = 7/15,
    # which is lower: both classes of priority 2 share it.
    assert res.totals == {1: 3, 2: 7}
    assert res.levels == [Fraction(1), Fraction(7, 15), Fraction(7, 15)]


def test_a_subtree_with_its_own_supply_rises_above_the_rest() -> None:
    # R (6) > A (4) and R > B (0): needs of 10 at R, 2 at A and 5 at B, one priority.
    res = fair_levels([-1, 0, 0], [6, 4, 0], [(0, 1, 10), (1, 1, 2), (2, 1, 5)])
    # {R, B} is the tightest rooted set: 6 / 15. A then fills on its own up to the cap.
    assert res.levels == [Fraction(2, 5), Fraction(1), Fraction(2, 5)]
    assert res.totals == {1: 6 + 2}


def test_the_tree_path_is_the_default_and_needs_no_fairness_lp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_lp(*args: object) -> None:
        raise AssertionError("the fairness LP ran")

    monkeypatch.setattr(solve_mod, "_fair_levels", no_lp)
    data = generate("restricted", 1, medium_villages(), recipients=400, pledges=60)
    plan = solve(load_problem(data))
    assert plan.summary.fallback == ()
    assert plan.summary.allocated > 0


def test_lp_path_takes_over_if_the_tree_path_breaks_its_invariant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = generate("mixed", 2, medium_villages(), recipients=400, pledges=60)
    problem = load_problem(data)
    expected = solve(problem).to_dict()

    def broken(*args: object) -> None:
        raise ArithmeticError("fair levels give 1 unit, priority total 2 (simulated)")

    monkeypatch.setattr(solve_mod, "_tree_levels", broken)
    got = solve(problem).to_dict()
    for plan in (expected, got):
        plan["summary"].pop("solve_seconds")
    assert got == expected
