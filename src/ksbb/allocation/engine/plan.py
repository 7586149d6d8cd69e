"""Result types of the allocation engine and their JSON form."""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class Plan:
    allocations: tuple[Allocation, ...]  # sorted by (pledge, recipient, item)
    needs: tuple[NeedResult, ...]  # sorted by (recipient, item)
    summary: Summary

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form. Everything but `summary.solve_seconds` is a function of the
        input alone."""
        return {
            "allocations": [a.to_dict() for a in self.allocations],
            "summary": self.summary.to_dict(),
        }
