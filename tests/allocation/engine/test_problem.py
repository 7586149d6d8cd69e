"""Validation of raw problem input: every error names the offending record."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ksbb.allocation.engine import ProblemError, load_problem


def _valid() -> dict[str, Any]:
    return {
        "pledges": [
            {"id": "P-1", "item": "rice", "quantity": 5, "area": "31.71", "restrict_to": None},
            {"id": "P-2", "item": "rice", "quantity": 0, "area": "31.71.01.1001.003"},
        ],
        "needs": [
            {
                "recipient": "R-1",
                "item": "rice",
                "quantity": 3,
                "priority": 1,
                "area": "31.71.01.1001",
            },
            {"recipient": "R-12", "item": "rice", "quantity": 2, "priority": 2, "area": "31.71.01"},
        ],
    }


def test_valid_problem_is_loaded_and_sorted() -> None:
    data = _valid()
    data["pledges"].reverse()
    problem = load_problem(data)
    assert [p.id for p in problem.pledges] == ["P-1", "P-2"]
    assert problem.pledges[1].restrict_to is None
    assert problem.items == ("rice",)


def _error(mutate: Any) -> str:
    data = copy.deepcopy(_valid())
    mutate(data)
    with pytest.raises(ProblemError) as exc:
        load_problem(data)
    return str(exc.value)


# Bad records and the message that names them (also read through the fast reader: test_reader).
ERROR_CASES: list[tuple[Any, str]] = [
    (
        lambda d: d["needs"][1].update(quantity=-1),
        "needs[1] (recipient 'R-12'): quantity must be a non-negative integer",
    ),
    (
        lambda d: d["needs"][1].update(quantity=1.0),
        "needs[1] (recipient 'R-12'): quantity must be a non-negative integer",
    ),
    (
        lambda d: d["needs"][1].update(quantity=True),
        "needs[1] (recipient 'R-12'): quantity must be a non-negative integer",
    ),
    (
        lambda d: d["needs"][1].update(quantity="2"),
        "needs[1] (recipient 'R-12'): quantity must be a non-negative integer",
    ),
    (
        lambda d: d["needs"][1].update(quantity=2**31),
        "needs[1] (recipient 'R-12'): quantity must be a non-negative integer of at most "
        "2147483647, got 2147483648",
    ),
    (
        lambda d: d["pledges"][0].update(quantity=2.5),
        "pledges[0] (id 'P-1'): quantity must be a non-negative integer",
    ),
    (
        lambda d: d["needs"][0].update(priority=0),
        "needs[0] (recipient 'R-1'): priority must be a positive integer",
    ),
    (
        lambda d: d["needs"][0].update(priority=False),
        "needs[0] (recipient 'R-1'): priority must be a positive integer",
    ),
    (
        lambda d: d["needs"][0].update(area="31.7"),
        "needs[0] (recipient 'R-1'): area must be a Kemendagri area code",
    ),
    (
        lambda d: d["needs"][0].update(area="31.71.01.101"),
        "needs[0] (recipient 'R-1'): area must be a Kemendagri area code",
    ),
    (
        lambda d: d["needs"][0].update(area="31.71.01.1001.3"),
        "needs[0] (recipient 'R-1'): area must be a Kemendagri area code",
    ),
    (
        lambda d: d["needs"][0].update(area="31\n"),
        "needs[0] (recipient 'R-1'): area must be a Kemendagri area code",
    ),
    (
        lambda d: d["pledges"][1].update(restrict_to="31.71."),
        "pledges[1] (id 'P-2'): restrict_to must be a Kemendagri area code",
    ),
    (
        lambda d: d["pledges"][1].update(restrict_to=31),
        "pledges[1] (id 'P-2'): restrict_to must be a Kemendagri area code",
    ),
    (
        lambda d: d["pledges"][1].update(id="P-1"),
        "pledges[1] (id 'P-1'): duplicate pledge id, first used by pledges[0]",
    ),
    (
        lambda d: d["needs"][1].update(recipient="R-1"),
        "needs[1] (recipient 'R-1'): duplicate need line for item 'rice'",
    ),
    (
        lambda d: d["pledges"][0].update(colour="red"),
        "pledges[0] (id 'P-1'): unknown field(s) 'colour'",
    ),
    (
        lambda d: d["needs"][0].pop("priority"),
        "needs[0] (recipient 'R-1'): missing field(s) 'priority'",
    ),
    (lambda d: d["pledges"][0].pop("id"), "pledges[0]: missing field(s) 'id'"),
    (lambda d: d["pledges"][0].update(id=""), "pledges[0]: id must be a non-empty string"),
    (
        lambda d: d["pledges"][0].update(item=3),
        "pledges[0] (id 'P-1'): item must be a non-empty string",
    ),
    (lambda d: d["needs"].append(7), "needs[2]: must be an object"),
    (lambda d: d.update(pledges={}), "pledges must be a list"),
    (lambda d: d.pop("needs"), "problem: missing field(s) 'needs'"),
    (lambda d: d.update(extra=1), "problem: unknown field(s) 'extra'"),
]


@pytest.mark.parametrize(("mutate", "expected"), ERROR_CASES)
def test_errors_name_the_record(mutate: Any, expected: str) -> None:
    assert _error(mutate).startswith(expected)


def test_not_an_object() -> None:
    with pytest.raises(ProblemError, match="JSON object"):
        load_problem([])


def test_same_recipient_may_need_several_items() -> None:
    data = _valid()
    data["needs"][1].update(recipient="R-1", item="water")
    assert len(load_problem(data).needs) == 2
