"""The fast reader of big problem files only accelerates: it gives the same Problem as
`load_problem`, and on anything unusual it steps aside, so that `load_problem` names the
record at fault exactly as before."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.allocation.engine.test_problem import ERROR_CASES, _valid

import ksbb.allocation.engine as engine
from ksbb.allocation.engine import ProblemError, load_problem, run_file
from ksbb.allocation.engine.families import FAMILIES, generate, medium_villages
from ksbb.allocation.engine.problem import MAX_QUANTITY
from ksbb.allocation.engine.reader import read_problem


@pytest.mark.parametrize("family", FAMILIES)
def test_the_same_problem_both_ways(family: str) -> None:
    data = generate(family, 3, medium_villages(), recipients=1300, pledges=150)
    # Shuffled, so that sorting is exercised too.
    data["pledges"].reverse()
    data["needs"].reverse()
    assert read_problem(orjson.dumps(data)) == load_problem(data)


@pytest.mark.parametrize(("mutate", "expected"), ERROR_CASES)
def test_bad_records_step_aside_and_are_named_as_before(
    mutate: Any, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy.deepcopy(_valid())
    mutate(data)
    assert read_problem(orjson.dumps(data)) is None
    # The command reads every file the fast way here: the message is load_problem's.
    monkeypatch.setattr(engine, "_FAST_FROM", 0)
    src, out = tmp_path / "problem.json", tmp_path / "plan.json"
    src.write_bytes(orjson.dumps(data))
    with pytest.raises(ProblemError) as exc:
        run_file(src, out)
    assert str(exc.value).startswith(expected)
    assert not out.exists()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["needs"][0].update(recipient="  "),
        lambda d: d["needs"][0].update(item="\t"),
        lambda d: d["pledges"][0].update(id=" "),
        lambda d: d["pledges"][0].update(item=""),
        lambda d: d["pledges"][0].update(restrict_to=""),
        lambda d: d["pledges"][0].update(area="31.71\n"),
    ],
)
def test_blank_strings_and_bad_codes_step_aside(mutate: Any) -> None:
    data = copy.deepcopy(_valid())
    mutate(data)
    assert read_problem(orjson.dumps(data)) is None
    with pytest.raises(ProblemError):
        load_problem(data)


def test_what_it_cannot_read_goes_the_usual_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_FAST_FROM", 0)
    src, out = tmp_path / "problem.json", tmp_path / "plan.json"
    src.write_text("{not json")
    with pytest.raises(ProblemError, match="not valid JSON"):
        run_file(src, out)
    # Beyond 64 bits (msgspec's own limit) and beyond the engine's: named as usual.
    data = _valid()
    data["pledges"][0]["quantity"] = 2**70
    src.write_text(json.dumps(data))
    with pytest.raises(ProblemError, match=r"pledges\[0\] \(id 'P-1'\): quantity must be a "
                       r"non-negative integer of at most 2147483647, got "):
        run_file(src, out)
    data["pledges"][0]["quantity"] = MAX_QUANTITY
    src.write_text(json.dumps(data))
    assert run_file(src, out).summary.pledged == MAX_QUANTITY
