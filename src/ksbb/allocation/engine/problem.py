"""Parsing and validation of an allocation problem.

The engine only ever sees a :class:`Problem`; everything that could be wrong with the raw
JSON-like input is caught here, so the solver can trust its data.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = [
    "LEVELS",
    "MAX_QUANTITY",
    "Need",
    "Pledge",
    "Problem",
    "ProblemError",
    "code_depth",
    "code_parts",
    "load_problem",
    "shared_components",
]

# Kemendagri code: province.regency.district.village.RW with 2, 2, 2, 4 and 3 digits.
_CODE_RE = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4}(?:\.\d{3})?)?)?)?$")

# Locality label by number of shared leading components (index = shared count).
LEVELS: tuple[str, ...] = ("other", "province", "regency", "district", "village", "rw")

# Largest quantity of one pledge or need line, as in the platform's database (a 32-bit
# integer). It keeps every total of a national problem far below 2**53, where the solver's
# floating point stops counting whole units exactly; a larger number would make the LPs
# numerically unsafe rather than fail cleanly.
MAX_QUANTITY = 2**31 - 1

_PLEDGE_FIELDS = {"id", "item", "quantity", "area", "restrict_to"}
_PLEDGE_REQUIRED = {"id", "item", "quantity", "area"}
_NEED_FIELDS = {"recipient", "item", "quantity", "priority", "area"}


class ProblemError(ValueError):
    """The input does not describe a valid allocation problem; the message names the record."""


# Pledges and needs are named tuples rather than frozen dataclasses: just as immutable, and
# three times cheaper to make (a national problem has 285,000 of them).
class Pledge(NamedTuple):
    id: str
    item: str
    quantity: int
    area: str
    restrict_to: str | None = None


class Need(NamedTuple):
    recipient: str
    item: str
    quantity: int
    priority: int
    area: str


# A need straight from its fields' tuple: tuple.__new__ skips the named tuple's Python-level
# __new__ (a national problem has 235,000 needs).
_new_need: Callable[[type[Need], tuple[str, str, int, int, str]], Need] = tuple.__new__
_ID = operator.itemgetter(0)  # a pledge's id
_RECIPIENT_ITEM = operator.itemgetter(0, 1)  # a need's recipient and item


@dataclass(frozen=True, slots=True)
class Problem:
    """A validated problem. Pledges are sorted by id, needs by (recipient, item), so that the
    order of the input never influences the result."""

    pledges: tuple[Pledge, ...]
    needs: tuple[Need, ...]

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(sorted({p.item for p in self.pledges} | {n.item for n in self.needs}))


def code_parts(code: str) -> tuple[str, ...]:
    return tuple(code.split(".")) if code else ()


def code_depth(code: str) -> int:
    return 0 if not code else code.count(".") + 1


def shared_components(a: str, b: str) -> int:
    """Number of leading code components that two area codes have in common."""
    n = 0
    for x, y in zip(code_parts(a), code_parts(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _is_int(value: object) -> bool:
    # bool is a subclass of int and 1.0 compares equal to 1: neither is a quantity.
    return type(value) is int


def _label(kind: str, index: int, record: Any, key: str) -> str:
    if isinstance(record, Mapping):
        ident = record.get(key)
        if isinstance(ident, str) and ident:
            return f"{kind}[{index}] ({'id' if key == 'id' else key} {ident!r})"
    return f"{kind}[{index}]"


def _check_fields(
    label: str, record: Mapping[str, Any], allowed: set[str], required: set[str]
) -> None:
    keys = record.keys()
    if keys <= allowed and required <= keys:
        return
    unknown = sorted(str(k) for k in record if k not in allowed)
    if unknown:
        raise ProblemError(f"{label}: unknown field(s) {', '.join(map(repr, unknown))}")
    missing = sorted(required - set(record))
    if missing:
        raise ProblemError(f"{label}: missing field(s) {', '.join(map(repr, missing))}")


def _text(label: str, record: Mapping[str, Any], key: str) -> str:
    value = record[key]
    if not isinstance(value, str) or not value.strip():
        raise ProblemError(f"{label}: {key} must be a non-empty string")
    return value


def _quantity(label: str, record: Mapping[str, Any]) -> int:
    value = record["quantity"]
    if not _is_int(value) or not 0 <= value <= MAX_QUANTITY:
        raise ProblemError(
            f"{label}: quantity must be a non-negative integer of at most {MAX_QUANTITY}, "
            f"got {value!r}"
        )
    return int(value)


def _code(label: str, record: Mapping[str, Any], key: str) -> str:
    value = record[key]
    if not isinstance(value, str) or not _valid_code(value):
        raise ProblemError(
            f"{label}: {key} must be a Kemendagri area code such as '31', '31.71', "
            f"'31.71.01', '31.71.01.1001' or '31.71.01.1001.003', got {value!r}"
        )
    return value


@functools.lru_cache(maxsize=1 << 17)
def _valid_code(value: str) -> bool:
    return _CODE_RE.fullmatch(value) is not None


def _records(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data[key]
    if not isinstance(value, list):
        raise ProblemError(f"{key} must be a list")
    return value


def load_problem(data: Any) -> Problem:
    """Validate a decoded JSON document and return a :class:`Problem`.

    Raises :class:`ProblemError` on the first problem found, naming the offending record.
    Duplicate pledge ids and duplicate (recipient, item) need lines are rejected rather than
    merged: merging would hide data-entry mistakes upstream.
    """
    if not isinstance(data, Mapping):
        raise ProblemError("problem must be a JSON object with 'pledges' and 'needs'")
    _check_fields("problem", data, {"pledges", "needs"}, {"pledges", "needs"})

    pledges: list[Pledge] = []
    seen_pledges: dict[str, int] = {}
    for i, raw in enumerate(_records(data, "pledges")):
        # Fast path for a well-formed record (national problems have 50,000); anything
        # unusual goes through the checks below, which name the fault.
        if type(raw) is dict and raw.keys() <= _PLEDGE_FIELDS and raw.keys() >= _PLEDGE_REQUIRED:
            pid, item, qty, area = raw["id"], raw["item"], raw["quantity"], raw["area"]
            restrict_to = raw.get("restrict_to")
            if (
                type(pid) is str
                and type(item) is str
                and type(qty) is int
                and type(area) is str
                and 0 <= qty <= MAX_QUANTITY
                and pid
                and not pid.isspace()
                and item
                and not item.isspace()
                and _valid_code(area)
                and (restrict_to is None or (type(restrict_to) is str
                                             and _valid_code(restrict_to)))
                and pid not in seen_pledges
            ):
                seen_pledges[pid] = i
                pledges.append(Pledge(pid, item, qty, area, restrict_to))
                continue
        label = _label("pledges", i, raw, "id")
        if not isinstance(raw, Mapping):
            raise ProblemError(f"{label}: must be an object")
        _check_fields(label, raw, _PLEDGE_FIELDS, _PLEDGE_REQUIRED)
        pid = _text(label, raw, "id")
        item = _text(label, raw, "item")
        quantity = _quantity(label, raw)
        area = _code(label, raw, "area")
        restrict_to = None if raw.get("restrict_to") is None else _code(label, raw, "restrict_to")
        if pid in seen_pledges:
            raise ProblemError(
                f"{label}: duplicate pledge id, first used by pledges[{seen_pledges[pid]}]"
            )
        seen_pledges[pid] = i
        pledges.append(Pledge(pid, item, quantity, area, restrict_to))

    needs: list[Need] = []
    seen_needs: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(_records(data, "needs")):
        if type(raw) is dict and raw.keys() == _NEED_FIELDS:
            recipient, item, qty = raw["recipient"], raw["item"], raw["quantity"]
            priority, area = raw["priority"], raw["area"]
            key = (recipient, item)
            if (
                type(recipient) is str
                and type(item) is str
                and type(qty) is int
                and type(priority) is int
                and type(area) is str
                and 0 <= qty <= MAX_QUANTITY
                and priority >= 1
                and recipient
                and not recipient.isspace()  # as `recipient.strip()`, without a copy
                and item
                and not item.isspace()
                and _valid_code(area)
                and key not in seen_needs
            ):
                seen_needs[key] = i
                needs.append(_new_need(Need, (recipient, item, qty, priority, area)))
                continue
        label = _label("needs", i, raw, "recipient")
        if not isinstance(raw, Mapping):
            raise ProblemError(f"{label}: must be an object")
        _check_fields(label, raw, _NEED_FIELDS, _NEED_FIELDS)
        recipient = _text(label, raw, "recipient")
        item = _text(label, raw, "item")
        quantity = _quantity(label, raw)
        priority = raw["priority"]
        if not _is_int(priority) or priority < 1:
            raise ProblemError(f"{label}: priority must be a positive integer, got {priority!r}")
        area = _code(label, raw, "area")
        key = (recipient, item)
        if key in seen_needs:
            raise ProblemError(
                f"{label}: duplicate need line for item {item!r}, "
                f"already given in needs[{seen_needs[key]}]"
            )
        seen_needs[key] = i
        needs.append(Need(recipient, item, quantity, priority, area))

    pledges.sort(key=_ID)
    needs.sort(key=_RECIPIENT_ITEM)
    return Problem(tuple(pledges), tuple(needs))
