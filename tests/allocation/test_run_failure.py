"""A failed in-app run tells the assessor why, in Indonesian (issue 20)."""

from __future__ import annotations

import importlib

import pytest
from django.utils import translation

from ksbb.allocation.engine import SolverError
from ksbb.allocation.models import AllocationRun
from ksbb.allocation.services import run_start

pytestmark = pytest.mark.usefixtures("tasks_immediate")


def test_solver_failure_reason_is_in_indonesian(cast, food_round, monkeypatch,  # type: ignore[no-untyped-def]
                                                django_capture_on_commit_callbacks):
    def boom(problem):  # type: ignore[no-untyped-def]
        raise SolverError("HiGHS: Infeasible")

    monkeypatch.setattr("ksbb.allocation.tasks.solve", boom)
    with translation.override("id"), django_capture_on_commit_callbacks(execute=True):
        run = run_start(round=food_round, by=cast.assessor)
    run.refresh_from_db()
    assert run.state == AllocationRun.State.FAILED
    assert "HiGHS: Infeasible" in run.error
    assert "numerik" in run.error  # "masalah numerik": the Indonesian text, not the msgid


def test_in_app_run_takes_the_engine_exact_path(cast, food_round, monkeypatch,  # type: ignore[no-untyped-def]
                                                django_capture_on_commit_callbacks):
    # The background task solves with the engine's own entry point, whose fair levels come
    # from the restriction tree (engine/fair.py): the fairness LP of the cross-check path
    # never runs, and the run ends with a proposal.
    def no_lp(*args):  # type: ignore[no-untyped-def]
        raise AssertionError("the fairness LP ran")

    # (The package's `solve` function hides the module of that name from dotted paths.)
    monkeypatch.setattr(importlib.import_module("ksbb.allocation.engine.solve"), "_fair_levels",
                        no_lp)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(round=food_round, by=cast.assessor)
    run.refresh_from_db()
    assert run.state == AllocationRun.State.PROPOSED, run.error
    assert run.summary["fallback"] == []
