"""Result types of the allocation engine and their JSON form."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .problem import LEVELS

__all__ = ["Allocation", "GroupSummary", "NeedResult", "Plan", "PlanColumns", "Summary"]


def _ratio(value: float) -> float:
    # Rounded so that the JSON output is stable and readable; the exact figures are integers.
    return round(value, 6)


@dataclass(frozen=True, slots=True)
class Allocation:
    """One line of the plan: `quantity` units of `item` from `pledge` to `recipient`."""

    pledge: str
    recipient: str
    item: str
    quantity: int
    shared: int  # leading area-code components shared by the pledge and the need
    locality: str
    cost: int  # per unit: 5 - shared
    priority: int
    need_quantity: int
    need_allocated: int  # total over all pledges for this recipient and item

    @property
    def coverage(self) -> float:
        return self.need_allocated / self.need_quantity if self.need_quantity else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "pledge": self.pledge,
            "recipient": self.recipient,
            "item": self.item,
            "quantity": self.quantity,
            "locality": self.locality,
            "cost": self.cost,
            "priority": self.priority,
            "need_quantity": self.need_quantity,
            "need_allocated": self.need_allocated,
            "coverage": _ratio(self.coverage),
        }


@dataclass(frozen=True, slots=True)
class NeedResult:
    """Outcome for one need line. `fair_ratio` is its max-min fair coverage level (see
    :mod:`ksbb.allocation.engine.solve`); `allocated` lies between floor and ceil of
    `fair_ratio * quantity`."""

    recipient: str
    item: str
    priority: int
    quantity: int
    allocated: int
    fair_ratio: float

    @property
    def ratio(self) -> float:
        return self.allocated / self.quantity if self.quantity else 1.0


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """Coverage of the needs of one item at one priority (need lines with quantity > 0)."""

    item: str
    priority: int
    needs: int
    need: int
    allocated: int
    lowest_ratio: float
    fair_level: float  # the best achievable lowest ratio t; everyone has >= floor(t * need)
    needs_at_zero: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "priority": self.priority,
            "needs": self.needs,
            "need": self.need,
            "allocated": self.allocated,
            "coverage": _ratio(self.allocated / self.need if self.need else 1.0),
            "lowest_ratio": _ratio(self.lowest_ratio),
            "fair_level": _ratio(self.fair_level),
            "needs_at_zero": self.needs_at_zero,
        }


@dataclass(frozen=True, slots=True)
class Summary:
    groups: tuple[GroupSummary, ...]
    pledged: int
    need: int
    allocated: int
    lowest_ratio: float
    same_regency_share: float
    locality_cost: int
    units_by_locality: tuple[tuple[str, int], ...]
    solve_seconds: float
    # Empty when every guarantee holds as stated. Otherwise what numerical trouble made the
    # engine give up (see ksbb.allocation.engine.solve): "fair_levels_incomplete",
    # "fair_bounds_relaxed:<units>", "locality_not_optimised".
    fallback: tuple[str, ...] = ()

    def by_priority(self) -> list[dict[str, Any]]:
        totals: dict[int, list[int]] = {}
        lowest: dict[int, float] = {}
        for g in self.groups:
            acc = totals.setdefault(g.priority, [0, 0])
            acc[0] += g.need
            acc[1] += g.allocated
            lowest[g.priority] = min(lowest.get(g.priority, 1.0), g.lowest_ratio)
        return [
            {
                "priority": prio,
                "need": need,
                "allocated": allocated,
                "coverage": _ratio(allocated / need if need else 1.0),
                "lowest_ratio": _ratio(lowest[prio]),
            }
            for prio, (need, allocated) in sorted(totals.items())
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "pledged": self.pledged,
            "need": self.need,
            "allocated": self.allocated,
            "coverage": _ratio(self.allocated / self.need if self.need else 1.0),
            "lowest_ratio": _ratio(self.lowest_ratio),
            "same_regency_share": _ratio(self.same_regency_share),
            "locality_cost": self.locality_cost,
            "units_by_locality": dict(self.units_by_locality),
            "coverage_by_priority": self.by_priority(),
            "coverage_by_item_priority": [g.to_dict() for g in self.groups],
            "fallback": list(self.fallback),
            "solve_seconds": round(self.solve_seconds, 3),
        }


class Plan:
    """The engine's result: `allocations` sorted by (pledge, recipient, item), `needs` sorted
    by (recipient, item), and the `summary`.

    The solver hands over numpy columns (`PlanColumns`); the Allocation and NeedResult
    objects are made on first access. The command line only writes JSON, for which the
    columns are enough, and a national plan has over 200,000 lines: making an object, or even
    a tuple, per line cost more than writing the file."""

    __slots__ = ("_allocations", "_columns", "_needs", "summary")

    def __init__(
        self,
        allocations: Sequence[Allocation],
        needs: Sequence[NeedResult],
        summary: Summary,
    ) -> None:
        self._allocations: tuple[Allocation, ...] | None = tuple(allocations)
        self._needs: tuple[NeedResult, ...] | None = tuple(needs)
        self._columns: PlanColumns | None = None
        self.summary = summary

    @classmethod
    def from_columns(cls, columns: PlanColumns, summary: Summary) -> Plan:
        plan = cls((), (), summary)
        plan._allocations = plan._needs = None
        plan._columns = columns
        return plan

    @property
    def allocations(self) -> tuple[Allocation, ...]:
        if self._allocations is None:
            assert self._columns is not None
            self._allocations = tuple(map(Allocation, *self._columns.allocation_fields()))
        return self._allocations

    @property
    def needs(self) -> tuple[NeedResult, ...]:
        if self._needs is None:
            assert self._columns is not None
            c = self._columns
            self._needs = tuple(map(NeedResult, c.recipient.tolist(), c.item.tolist(),
                                    c.priority.tolist(), c.need_quantity.tolist(),
                                    c.allocated.tolist(), c.fair.tolist()))
        return self._needs

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Plan):
            return NotImplemented
        return (self.allocations, self.needs, self.summary) == (
            other.allocations, other.needs, other.summary)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        lines = (len(self._allocations) if self._allocations is not None
                 else len(self._columns.pledge) if self._columns is not None else 0)
        return f"Plan({lines} allocation lines, summary={self.summary!r})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form. Everything but `summary.solve_seconds` is a function of the
        input alone."""
        if self._columns is None:
            allocations = [a.to_dict() for a in self.allocations]
        else:  # the same dicts as Allocation.to_dict, straight from the columns
            allocations = [
                {
                    "pledge": pledge,
                    "recipient": recipient,
                    "item": item,
                    "quantity": units,
                    "locality": locality,
                    "cost": cost,
                    "priority": priority,
                    "need_quantity": need_quantity,
                    "need_allocated": need_allocated,
                    "coverage": coverage,
                }
                for (pledge, recipient, item, units, locality, cost, priority, need_quantity,
                     need_allocated, coverage) in zip(*self._columns.json_fields(), strict=True)
            ]
        return {"allocations": allocations, "summary": self.summary.to_dict()}

    def to_json(self) -> bytes:
        """`to_dict()` as orjson writes it, byte for byte. Big plans skip the dict per line:
        their lines go out as msgspec structs (made in C, about half the cost of a dict),
        which msgspec encodes exactly as orjson does these values (the tests compare)."""
        import orjson  # here: run_file still writes plans through json where it is missing

        columns = self._columns
        if columns is None or len(columns.need) < _STRUCTS_FROM:
            return orjson.dumps(self.to_dict())
        row, encoder = _json_row()
        return b"".join((
            b'{"allocations":',
            encoder.encode(list(map(row, *columns.json_fields()))),
            b',"summary":',
            orjson.dumps(self.summary.to_dict()),
            b"}",
        ))


# Lines from which `Plan.to_json` uses msgspec: importing it costs about 12 ms, which the
# structs repay from about 50,000 lines (national plans have 200,000).
_STRUCTS_FROM = 50_000


@functools.cache
def _json_row() -> tuple[Any, Any]:
    """A struct with the keys of Allocation.to_dict, in order, and a JSON encoder."""
    import msgspec  # here: only big plans repay its import

    class JsonRow(msgspec.Struct, gc=False):
        pledge: str
        recipient: str
        item: str
        quantity: int
        locality: str
        cost: int
        priority: int
        need_quantity: int
        need_allocated: int
        coverage: float

    return JsonRow, msgspec.json.Encoder()


@dataclass(frozen=True, slots=True)
class PlanColumns:
    """A plan as the solver makes it, in numpy arrays. Per need of the problem (in its order):
    recipient and item (object arrays), need quantity, priority, units allocated, fair level.
    Per line, sorted by pledge then need: the pledge's id (object array), the need's
    position, the units and the number of area-code components the two share."""

    recipient: np.ndarray
    item: np.ndarray
    need_quantity: np.ndarray
    priority: np.ndarray
    allocated: np.ndarray
    fair: np.ndarray
    pledge: np.ndarray
    need: np.ndarray
    quantity: np.ndarray
    shared: np.ndarray

    def allocation_fields(self) -> list[list[Any]]:
        """The columns of the Allocation fields, in order, as lists of Python values. Taken
        in numpy: indexing Python lists per line cost several times more."""
        at = self.need
        return [
            self.pledge.tolist(),
            self.recipient[at].tolist(),
            self.item[at].tolist(),
            self.quantity.tolist(),
            self.shared.tolist(),
            _LEVELS[self.shared].tolist(),
            (5 - self.shared).tolist(),
            self.priority[at].tolist(),
            self.need_quantity[at].tolist(),
            self.allocated[at].tolist(),
        ]

    def json_fields(self) -> list[list[Any]]:
        """The columns of the keys of Allocation.to_dict, in order."""
        fields = self.allocation_fields()
        del fields[4]  # shared
        fields.append(self._coverage())
        return fields

    def _coverage(self) -> list[float]:
        # Needs without a line are not in any part, so every line's need quantity is > 0.
        # int64 -> float64 is exact and IEEE division rounds correctly, as Python's int / int
        # does. The ratios repeat a lot (whole needs, halves...): Python's correctly rounded
        # round() runs once per distinct ratio, and numpy maps it back.
        at = self.need
        ratio = self.allocated[at].astype(np.float64) / self.need_quantity[at].astype(np.float64)
        distinct, inverse = np.unique(ratio, return_inverse=True)
        rounded = np.array([_ratio(r) for r in distinct.tolist()], dtype=np.float64)
        return rounded[inverse.reshape(-1)].tolist()


_LEVELS = np.array(LEVELS, dtype=object)
