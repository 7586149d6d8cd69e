"""A problem as independent parts, each solvable anywhere: in this process, in another one,
or by a background worker on another machine; ``combine`` puts the results together into
exactly the plan ``solve`` returns (``solve`` itself is ``split``, ``solve_part`` for each
part, ``combine``).

Parts are the engine's own decomposition: items never share pledges, and within an item the
supply trees under different topmost restriction areas never meet (``solve._split``). Parts
and results travel as plain JSON-able dicts (``to_dict`` / ``from_dict``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .plan import Plan
from .problem import Need, Pledge, Problem
from .solve import _assemble, _fallback_note, _solve_part, item_parts

__all__ = ["Part", "PartResult", "combine", "solve_part", "split"]


@dataclass(frozen=True)
class Part:
    index: int
    item: str
    area: str  # the topmost restriction area the part's supply lies under ("" = none)
    pledges: tuple[Pledge, ...]
    needs: tuple[Need, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "item": self.item, "area": self.area,
            "pledges": [[p.id, p.item, p.quantity, p.area, p.restrict_to]
                        for p in self.pledges],
            "needs": [[n.recipient, n.item, n.quantity, n.priority, n.area]
                      for n in self.needs],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Part:
        return cls(int(data["index"]), str(data["item"]), str(data["area"]),
                   tuple(Pledge(*p) for p in data["pledges"]),
                   tuple(Need(*n) for n in data["needs"]))


@dataclass(frozen=True)
class PartResult:
    index: int
    item: str
    lines: tuple[tuple[str, str, int], ...]  # pledge id, recipient, units
    levels: tuple[tuple[str, float], ...]  # recipient, fair level
    relaxed: int
    locality_optimal: bool
    levels_complete: bool

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "item": self.item, "lines": [list(x) for x in self.lines],
                "levels": [list(x) for x in self.levels], "relaxed": self.relaxed,
                "locality_optimal": self.locality_optimal,
                "levels_complete": self.levels_complete}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PartResult:
        return cls(int(data["index"]), str(data["item"]),
                   tuple((str(p), str(r), int(q)) for p, r, q in data["lines"]),
                   tuple((str(r), float(v)) for r, v in data["levels"]),
                   int(data["relaxed"]), bool(data["locality_optimal"]),
                   bool(data["levels_complete"]))


def split(problem: Problem) -> list[Part]:
    """The independent parts, in a fixed order (item, then area)."""
    return [Part(k, item, root, tuple(pledges), tuple(needs))
            for k, (item, root, pledges, needs) in enumerate(item_parts(problem))]


def solve_part(part: Part) -> PartResult:
    res = _solve_part(part.pledges, part.needs)
    return PartResult(
        part.index,
        part.item,
        tuple((part.pledges[p].id, part.needs[n].recipient, q)
              for p, n, q in res.lines.tolist()),
        tuple((n.recipient, lvl) for n, lvl in zip(part.needs, res.levels, strict=True)),
        res.relaxed,
        res.locality_optimal,
        res.levels_complete,
    )


def combine(problem: Problem, results: Sequence[PartResult], seconds: float) -> Plan:
    """The plan of ``problem`` from the results of all its parts (in any order)."""
    pledge_at = {p.id: k for k, p in enumerate(problem.pledges)}
    need_at = {(n.recipient, n.item): k for k, n in enumerate(problem.needs)}
    allocated = [0] * len(problem.needs)
    fair = [0.0 if n.quantity else 1.0 for n in problem.needs]
    lines: list[tuple[int, int, int]] = []
    relaxed = 0
    optimal = complete = True
    for res in sorted(results, key=lambda r: r.index):
        for recipient, level in res.levels:
            fair[need_at[(recipient, res.item)]] = level
        for pid, recipient, q in res.lines:
            k = need_at[(recipient, res.item)]
            lines.append((pledge_at[pid], k, q))
            allocated[k] += q
        relaxed += res.relaxed
        optimal = optimal and res.locality_optimal
        complete = complete and res.levels_complete
    return _assemble(problem, lines, allocated, fair, seconds,
                     fallback=_fallback_note(relaxed, optimal, complete))
