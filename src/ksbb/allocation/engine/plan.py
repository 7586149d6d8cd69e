"""Result types of the allocation engine and their JSON form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Allocation", "GroupSummary", "NeedResult", "Plan", "Summary"]


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

    The solver hands over plain rows (the fields of Allocation and NeedResult, in order); the
    objects are made on first access. The command line only writes JSON, for which the rows
    are enough, and a national plan has over 200,000 lines."""

    __slots__ = ("_allocation_rows", "_allocations", "_need_rows", "_needs", "summary")

    def __init__(
        self,
        allocations: Sequence[Allocation],
        needs: Sequence[NeedResult],
        summary: Summary,
    ) -> None:
        self._allocations: tuple[Allocation, ...] | None = tuple(allocations)
        self._needs: tuple[NeedResult, ...] | None = tuple(needs)
        self._allocation_rows: Sequence[tuple[Any, ...]] = ()
        self._need_rows: Sequence[tuple[Any, ...]] = ()
        self.summary = summary

    @classmethod
    def from_rows(
        cls,
        allocation_rows: Sequence[tuple[Any, ...]],
        need_rows: Sequence[tuple[Any, ...]],
        summary: Summary,
    ) -> Plan:
        plan = cls((), (), summary)
        plan._allocations = plan._needs = None
        plan._allocation_rows = allocation_rows
        plan._need_rows = need_rows
        return plan

    @property
    def allocations(self) -> tuple[Allocation, ...]:
        if self._allocations is None:
            self._allocations = tuple(Allocation(*row) for row in self._allocation_rows)
            self._allocation_rows = ()
        return self._allocations

    @property
    def needs(self) -> tuple[NeedResult, ...]:
        if self._needs is None:
            self._needs = tuple(NeedResult(*row) for row in self._need_rows)
            self._need_rows = ()
        return self._needs

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Plan):
            return NotImplemented
        return (self.allocations, self.needs, self.summary) == (
            other.allocations, other.needs, other.summary)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        lines = (len(self._allocation_rows) if self._allocations is None
                 else len(self._allocations))
        return f"Plan({lines} allocation lines, summary={self.summary!r})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form. Everything but `summary.solve_seconds` is a function of the
        input alone."""
        if self._allocations is not None:
            allocations = [a.to_dict() for a in self._allocations]
        else:  # the same dicts as Allocation.to_dict, straight from the rows
            allocations = [
                {
                    "pledge": r[0],
                    "recipient": r[1],
                    "item": r[2],
                    "quantity": r[3],
                    "locality": r[5],
                    "cost": r[6],
                    "priority": r[7],
                    "need_quantity": r[8],
                    "need_allocated": r[9],
                    "coverage": round(r[9] / r[8], 6) if r[8] else 1.0,
                }
                for r in self._allocation_rows
            ]
        return {"allocations": allocations, "summary": self.summary.to_dict()}
