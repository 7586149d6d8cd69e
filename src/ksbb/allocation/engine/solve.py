"""The allocation solver.

Items never compete for the same pledges, so every item is solved on its own, in three stages.

1. Priority totals (rule b). On a *reachability network* (below) we maximise the units given to
   priority-1 needs, fix that total, maximise priority 2, and so on. Network LP: integral.

2. Fairness (rule c), per item and priority, in priority order, with all totals of stage 1 held
   fixed and the fair levels of earlier priorities held as lower bounds. Progressive filling:
   maximise t such that every still-free need gets at least t x its quantity; the needs whose
   constraint has a positive dual are blocked at t in *every* optimal solution (complementary
   slackness), so they are frozen at level t and the LP is solved again for the others, until
   every need is frozen. This is the exact (fractional) lexicographic max-min fair allocation of
   coverage ratios; each need n ends with a level t_n, and the lowest of them is the best
   achievable lowest ratio t*.

   Needs of the same item and priority whose area lies below the same deepest restriction node
   can be served by exactly the same pledges, so max-min fairness gives them equal ratios; they
   are pooled into one *class*. That keeps the fairness LPs to a few hundred columns even at
   national size, which is what makes running progressive filling to completion affordable.

3. Locality (rule d). One min-cost flow on a network shaped like the area tree, with every need
   line bounded by floor(t_n x need) <= allocated <= ceil(t_n x need) and the priority totals
   fixed. The fractional fair solution satisfies those integral bounds, so an integral solution
   exists and a simplex vertex of this network LP is one (rule e). Costs are then minimised.

Guarantees, per item and priority p (needs with quantity 0 are ignored):
  * the total allocated to p is the lexicographic maximum (p=1 first, then 2, ...);
  * with t_n the exact max-min fair ratio of need n (computed given those totals and the fair
    levels of more urgent priorities), floor(t_n q_n) <= x_n <= ceil(t_n q_n); in particular
    every need gets at least floor(t* q_n) where t* is the best achievable lowest ratio among
    the needs of that item and priority;
  * among all integral allocations meeting the above, the total locality cost is minimal.

Tree network for locality. Cost(pledge area P, need area N) = 5 - shared(P, N)
= (5 - depth(P)) + (levels climbed from P to the common ancestor). So supply enters an "up"
node U(P) paying 5 - depth(P) per unit, climbs at 1 per level, may drop at any node into the
"down" tree D, and descends for free to the needs. A pledge restricted to R (an ancestor of P)
climbs a private up-chain of layer R that stops at R, so it can only drop into subtrees of R;
unrestricted pledges use the layer of the root. If R is not an ancestor-or-self of P, every
need inside R has the same cost 5 - shared(P, R), so such supply enters D(R) directly at that
cost. Any path through this network costs at least the pair cost of its ends and every pair
can be routed at exactly its pair cost, so the minimum network cost is the minimum pair cost,
and any decomposition of an optimal flow into pledge -> need pairs has that same total.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from .plan import Allocation, GroupSummary, NeedResult, Plan, Summary
from .problem import LEVELS, Need, Pledge, Problem, code_depth, shared_components

__all__ = ["SolverError", "solve"]

_INF = math.inf
_EPS = 1e-7


class SolverError(RuntimeError):
    """HiGHS did not return an optimal solution where theory says one exists (a bug)."""


# --------------------------------------------------------------------------------------------
# HiGHS plumbing


_banner_lock = threading.Lock()
_banner_done = False


def _new_highs() -> highspy.Highs:
    # HiGHS prints a copyright banner on stdout when the first instance of the process is
    # created, before any option can silence it; it would end up in CLI output.
    global _banner_done
    with _banner_lock:
        if _banner_done:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "w") as devnull:
                    os.dup2(devnull.fileno(), 1)
                    h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _banner_done = True
    h.setOptionValue("output_flag", False)
    # Serial dual simplex: deterministic, and gives vertex solutions (integral on networks).
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("threads", 1)
    return h


@dataclass
class _Lp:
    """Column-wise LP under construction."""

    cost: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    nnz: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)

    def row(self, lower: float = 0.0, upper: float = 0.0) -> int:
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        return len(self.row_lower) - 1

    def col(
        self, cost: float, lower: float, upper: float, entries: Sequence[tuple[int, float]]
    ) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.nnz.append(len(entries))
        for r, v in entries:
            self.index.append(r)
            self.value.append(v)
        return len(self.cost) - 1

    def highs(self, maximize: bool) -> highspy.Highs:
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.row_lower)
        lp.col_cost_ = np.asarray(self.cost, dtype=np.float64)
        lp.col_lower_ = np.asarray(self.lower, dtype=np.float64)
        lp.col_upper_ = np.asarray(self.upper, dtype=np.float64)
        lp.row_lower_ = np.asarray(self.row_lower, dtype=np.float64)
        lp.row_upper_ = np.asarray(self.row_upper, dtype=np.float64)
        lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        start = np.zeros(len(self.nnz) + 1, dtype=np.int32)
        np.cumsum(np.asarray(self.nnz, dtype=np.int32), out=start[1:])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = np.asarray(self.index, dtype=np.int32)
        lp.a_matrix_.value_ = np.asarray(self.value, dtype=np.float64)
        h = _new_highs()
        h.passModel(lp)
        return h


def _run(h: highspy.Highs) -> tuple[np.ndarray, np.ndarray, float]:
    """Solve (hot-starting from the previous basis, if any) and return (column values, row
    duals, objective); raise SolverError unless optimal."""
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS: {h.modelStatusToString(status)}")
    sol = h.getSolution()
    return (
        np.asarray(sol.col_value, dtype=np.float64),
        np.asarray(sol.row_dual, dtype=np.float64),
        float(h.getInfo().objective_function_value),
    )


# --------------------------------------------------------------------------------------------
# Area tree helpers


def _prefix(code: str, depth: int) -> str:
    if depth <= 0:
        return ""
    parts = code.split(".")
    return ".".join(parts[:depth])


@functools.lru_cache(maxsize=1 << 18)
def _ancestors(code: str) -> tuple[str, ...]:
    """Ancestors-or-self of a code, deepest first, ending with the root ''."""
    parts = code.split(".") if code else []
    return (*(".".join(parts[:k]) for k in range(len(parts), 0, -1)), "")


def _is_within(code: str, area: str) -> bool:
    return area == "" or code == area or code.startswith(area + ".")


# --------------------------------------------------------------------------------------------
# Stages 1 and 2 on the reachability network


@dataclass
class _Class:
    node: str  # deepest restriction node above the needs
    priority: int
    needs: list[int]  # indices into the item's need list
    demand: int
    level: float = 0.0  # max-min fair coverage ratio once frozen
    # How far above its true value the level may be: supply that the tolerance on classes
    # frozen before it let through, spread over this class alone in the worst case.
    excess: float = 0.0


@dataclass
class _ItemResult:
    levels: list[float]  # fair ratio per need
    totals: dict[int, int]
    excess: list[float]  # per need: how far its level may lie above the true one


def _fair_levels(pledges: Sequence[Pledge], needs: Sequence[Need]) -> _ItemResult:
    """Stages 1 and 2 for one item: lexicographic priority totals, then max-min fair levels."""
    supply: dict[str, int] = defaultdict(int)
    for p in pledges:
        supply[p.restrict_to or ""] += p.quantity
    nodes = sorted(supply, key=lambda c: (code_depth(c), c))

    classes: dict[tuple[str, int], _Class] = {}
    for i, n in enumerate(needs):
        node = next((a for a in _ancestors(n.area) if a in supply), None)
        if node is None:
            continue  # nothing can reach this need: its level stays 0
        cls = classes.setdefault((node, n.priority), _Class(node, n.priority, [], 0))
        cls.needs.append(i)
        cls.demand += n.quantity
    ordered = [classes[k] for k in sorted(classes, key=lambda k: (k[1], code_depth(k[0]), k[0]))]
    priorities = sorted({c.priority for c in ordered})
    totals: dict[int, int] = {}

    # One model for the whole item, modified in place between solves so that HiGHS can
    # hot-start from the previous basis. Columns: supply per node, tree arcs, one x_c per
    # class, t. Rows: conservation per node, total per priority, x_c - demand_c * t >= 0.
    lp = _Lp()
    node_row = {c: lp.row() for c in nodes}
    for c in nodes:
        lp.col(0.0, 0.0, float(supply[c]), [(node_row[c], 1.0)])
        above = next((a for a in _ancestors(c)[1:] if a in supply), None)
        if above is not None:
            lp.col(0.0, 0.0, _INF, [(node_row[above], -1.0), (node_row[c], 1.0)])
    prio_row = {prio: lp.row(-_INF, _INF) for prio in priorities}
    fair_row = [lp.row(0.0, _INF) for _ in ordered]
    class_col = [
        lp.col(
            0.0,
            0.0,
            float(c.demand),
            [(node_row[c.node], -1.0), (prio_row[c.priority], 1.0), (fair_row[k], 1.0)],
        )
        for k, c in enumerate(ordered)
    ]
    t_col = lp.col(0.0, 0.0, 0.0, [])
    h = lp.highs(maximize=True)

    for prio in priorities:
        members = [k for k, c in enumerate(ordered) if c.priority == prio]
        h.changeColsCost(
            len(members), np.array([class_col[k] for k in members], np.int32), np.ones(len(members))
        )
        _, _, best = _run(h)
        totals[prio] = round(best)
        h.changeRowBounds(prio_row[prio], float(totals[prio]), float(totals[prio]))
        h.changeColsCost(
            len(members),
            np.array([class_col[k] for k in members], np.int32),
            np.zeros(len(members)),
        )

    h.changeColCost(t_col, 1.0)
    h.changeColBounds(t_col, -_INF, _INF)
    for prio in priorities:
        free = [k for k, c in enumerate(ordered) if c.priority == prio]
        for k in free:
            h.changeCoeff(fair_row[k], t_col, -float(ordered[k].demand))
        leak = 0.0  # units the frozen classes' tolerance may have released to the others
        while free:
            values, duals, _ = _run(h)
            t = min(1.0, max(0.0, float(values[t_col])))
            if t >= 1.0 - 1e-9:
                t, blocked = 1.0, free
            else:
                # A positive dual means that constraint is tight in every optimal solution.
                blocked = [k for k in free if abs(duals[fair_row[k]]) * ordered[k].demand > 1e-7]
                if not blocked:  # numerically degenerate: freeze everyone at t (still >= t*)
                    blocked = free
            released = 0.0
            for k in blocked:
                frozen = ordered[k]
                frozen.level = t
                frozen.excess = leak / frozen.demand if frozen.demand else 0.0
                # Frozen at its level; the tolerance absorbs LP round-off.
                demand = float(frozen.demand)
                low = max(0.0, t * demand - 1e-6 * max(1.0, demand))
                h.changeColBounds(class_col[k], min(low, demand), demand)
                h.changeCoeff(fair_row[k], t_col, 0.0)
                released += t * demand - min(low, demand)
            leak += released
            done = set(blocked)
            free = [k for k in free if k not in done]

    levels = [0.0] * len(needs)
    excess = [0.0] * len(needs)
    for cls in ordered:
        for i in cls.needs:
            levels[i] = cls.level
            excess[i] = cls.excess
    return _ItemResult(levels, totals, excess)


# --------------------------------------------------------------------------------------------
# Stage 3: min locality cost on the area-tree network, then decomposition into pledge lines


@dataclass
class _Group:
    """Need lines of one item and priority hanging from the same down-tree node: they are
    interchangeable for cost purposes."""

    area: str  # the down-tree node
    priority: int
    needs: list[int]


def _bounds(levels: Sequence[float], needs: Sequence[Need], slack: float,
            excess: Sequence[float] | None = None) -> list[tuple[int, int]]:
    out = []
    for i, (lvl, n) in enumerate(zip(levels, needs, strict=True)):
        v = lvl * n.quantity
        lo = max(0, math.floor(v + _EPS - slack))
        # The ceiling discounts what the freeze tolerance may have added to the level: 2 of
        # 3 must not become 2.000002 and round up to 3 at the frozen needs' expense.
        over = excess[i] * n.quantity if excess is not None else 0.0
        hi = min(n.quantity, math.ceil(v - _EPS - over + slack))
        out.append((lo, max(lo, hi)))
    return out


def _locality_flow(
    pledges: Sequence[Pledge],
    needs: Sequence[Need],
    levels: Sequence[float],
    totals: dict[int, int],
    excess: Sequence[float] | None = None,
) -> list[tuple[int, int, int]]:
    """Return (pledge index, need index, quantity) triples of a min-cost fair allocation."""
    # Supply groups: pledges of the same area and restriction are interchangeable.
    supply_groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, p in enumerate(pledges):
        supply_groups[(p.area, p.restrict_to or "")].append(i)

    up_keys: set[tuple[str, str]] = set()  # (layer, area) of the up-chains
    entries = {""}  # down-tree nodes where supply can enter
    for area, layer in supply_groups:
        if _is_within(area, layer):
            for a in _ancestors(area):
                up_keys.add((layer, a))
                entries.add(a)
                if a == layer:
                    break
        else:
            entries.add(layer)

    # The down tree keeps only nodes where supply enters: a node nothing enters receives
    # everything from its parent for free, so its needs may as well hang from that parent.
    # Needs hanging from the same node with the same priority are interchangeable.
    attach: dict[str, str] = {}
    groups: dict[tuple[str, int], _Group] = {}
    for i, n in enumerate(needs):
        hang = attach.get(n.area)
        if hang is None:
            hang = attach[n.area] = next(a for a in _ancestors(n.area) if a in entries)
        groups.setdefault((hang, n.priority), _Group(hang, n.priority, [])).needs.append(i)
    group_list = [groups[k] for k in sorted(groups)]
    down: set[str] = set()
    for g in group_list:
        for a in _ancestors(g.area):
            if a in down:
                break
            if a in entries:
                down.add(a)
    down_nodes = sorted(down, key=lambda c: (code_depth(c), c))

    # Nodes, in topological order of the flow: up layers deepest first, then down root first.
    node_count = 0
    up: dict[tuple[str, str], int] = {}
    for key in sorted(up_keys, key=lambda k: (-code_depth(k[1]), k[0], k[1])):
        up[key] = node_count
        node_count += 1
    dn: dict[str, int] = {}
    for a in down_nodes:
        dn[a] = node_count
        node_count += 1

    lp = _Lp()
    for _ in range(node_count):
        lp.row()
    prio_row = {}
    for prio in sorted({g.priority for g in group_list}):
        total = float(totals.get(prio, 0))  # a priority nothing can reach has no total
        prio_row[prio] = lp.row(total, total)

    # Arc bookkeeping for the decomposition: tail node (-1: supply group), head node
    # (-1: need group), and the supply/need group it belongs to.
    tails: list[int] = []
    heads: list[int] = []
    arc_supply: dict[int, tuple[str, str]] = {}
    arc_need: dict[int, _Group] = {}

    def arc(tail: int, head: int, cost: float, lo: float, hi: float, extra: int = -1) -> int:
        col_entries = []
        if tail >= 0:
            col_entries.append((tail, -1.0))
        if head >= 0:
            col_entries.append((head, 1.0))
        if extra >= 0:
            col_entries.append((extra, 1.0))
        tails.append(tail)
        heads.append(head)
        return lp.col(cost, lo, hi, col_entries)

    for key in sorted(supply_groups):
        area, layer = key
        qty = float(sum(pledges[i].quantity for i in supply_groups[key]))
        if _is_within(area, layer):
            k = arc(-1, up[(layer, area)], 5.0 - code_depth(area), 0.0, qty)
        elif layer in dn:
            k = arc(-1, dn[layer], 5.0 - shared_components(area, layer), 0.0, qty)
        else:
            continue  # no need inside the restriction
        arc_supply[k] = key
    for (layer, a), node in sorted(up.items(), key=lambda kv: kv[1]):
        if a != layer:
            arc(node, up[(layer, _prefix(a, code_depth(a) - 1))], 1.0, 0.0, _INF)
        if a in dn:
            arc(node, dn[a], 0.0, 0.0, _INF)
    for a in down_nodes:
        if a:
            parent = next(p for p in _ancestors(a)[1:] if p in dn)
            arc(dn[parent], dn[a], 0.0, 0.0, _INF)

    bounds = _bounds(levels, needs, 0.0, excess)
    for g in group_list:
        k = arc(
            dn[g.area],
            -1,
            0.0,
            sum(bounds[i][0] for i in g.needs),
            sum(bounds[i][1] for i in g.needs),
            prio_row[g.priority],
        )
        arc_need[k] = g
    h = lp.highs(maximize=False)
    # Interior point + crossover ends on a vertex too, and is 2-3x faster than dual simplex
    # on this LP at national size; a vertex of this network LP is integral.
    h.setOptionValue("solver", "ipx")
    try:
        values, _, _ = _run(h)
    except SolverError:
        # Round-off in the fair levels may have put a bound one unit off; widen and retry.
        bounds = _bounds(levels, needs, 1e-5, excess)
        for k, g in arc_need.items():
            h.changeColBounds(
                k,
                float(sum(bounds[i][0] for i in g.needs)),
                float(sum(bounds[i][1] for i in g.needs)),
            )
        values, _, _ = _run(h)
    flow = np.rint(values).astype(np.int64)
    if np.abs(values - flow).max(initial=0.0) > 1e-6:
        # Should not happen (crossover returns a vertex); simplex from there certainly does.
        h.setOptionValue("solver", "simplex")
        values, _, _ = _run(h)
        flow = np.rint(values).astype(np.int64)
    return _decompose(
        pledges,
        needs,
        levels,
        supply_groups,
        node_count,
        tails,
        heads,
        arc_supply,
        arc_need,
        flow,
        bounds,
    )


def _decompose(
    pledges: Sequence[Pledge],
    needs: Sequence[Need],
    levels: Sequence[float],
    supply_groups: dict[tuple[str, str], list[int]],
    node_count: int,
    tails: Sequence[int],
    heads: Sequence[int],
    arc_supply: dict[int, tuple[str, str]],
    arc_need: dict[int, _Group],
    flow: np.ndarray,
    bounds: Sequence[tuple[int, int]],
) -> list[tuple[int, int, int]]:
    """Split the acyclic integral flow into pledge -> need quantities, deterministically: each
    node passes on the pledge units it received, first in first out, to its outgoing arcs in
    arc order."""
    inbox: list[list[list[int]]] = [[] for _ in range(node_count)]  # [pledge, units] chunks
    out_arcs: list[list[int]] = [[] for _ in range(node_count)]
    for k, (tail, head) in enumerate(zip(tails, heads, strict=True)):
        if flow[k] <= 0:
            continue
        if tail < 0:
            remaining = int(flow[k])
            for i in supply_groups[arc_supply[k]]:  # pledges in id order
                take = min(remaining, pledges[i].quantity)
                if take:
                    inbox[head].append([i, take])
                    remaining -= take
        else:
            out_arcs[tail].append(k)

    result: dict[tuple[int, int], int] = defaultdict(int)

    for node in range(node_count):
        chunks = inbox[node]
        pos = 0
        for k in out_arcs[node]:
            pos, taken = _take(chunks, pos, int(flow[k]))
            if heads[k] >= 0:
                inbox[heads[k]].extend(taken)
            else:
                _split_to_needs(arc_need[k], int(flow[k]), taken, needs, levels, bounds, result)
        inbox[node] = []
    return [(p, n, q) for (p, n), q in result.items()]


def _split_to_needs(
    group: _Group,
    units: int,
    chunks: list[list[int]],
    needs: Sequence[Need],
    levels: Sequence[float],
    bounds: Sequence[tuple[int, int]],
    result: dict[tuple[int, int], int],
) -> None:
    """Share a group's units among its need lines: everyone gets its lower bound, the rounding
    units go by largest remainder of the fair share (ties: recipient order)."""
    amounts = {i: bounds[i][0] for i in group.needs}
    extra = units - sum(amounts.values())
    order = sorted(group.needs, key=lambda i: (-(levels[i] * needs[i].quantity - amounts[i]), i))
    while extra > 0:
        progressed = False
        for i in order:
            if extra > 0 and amounts[i] < needs[i].quantity:
                step = 1 if amounts[i] < bounds[i][1] else 0
                if step:
                    amounts[i] += 1
                    extra -= 1
                    progressed = True
        if not progressed:  # only after a widened retry: fill up to the need itself
            for i in order:
                step = min(extra, needs[i].quantity - amounts[i])
                amounts[i] += step
                extra -= step
    pos = 0
    for i in sorted(group.needs):
        pos, taken = _take(chunks, pos, amounts[i])
        for p, q in taken:
            result[(p, i)] += q


def _take(chunks: list[list[int]], pos: int, units: int) -> tuple[int, list[list[int]]]:
    taken: list[list[int]] = []
    while units > 0:
        chunk = chunks[pos]
        take = min(units, chunk[1])
        taken.append([chunk[0], take])
        chunk[1] -= take
        units -= take
        if chunk[1] == 0:
            pos += 1
    return pos, taken


# --------------------------------------------------------------------------------------------
# Public entry point


def solve(problem: Problem) -> Plan:
    """Allocate the pledges of `problem` to its needs; see the module docstring for the rules
    and what is guaranteed."""
    started = time.perf_counter()
    by_item_p: dict[str, list[Pledge]] = defaultdict(list)
    by_item_n: dict[str, list[Need]] = defaultdict(list)
    for p in problem.pledges:
        if p.quantity > 0:
            by_item_p[p.item].append(p)
    for n in problem.needs:
        if n.quantity > 0:
            by_item_n[n.item].append(n)

    allocated: dict[tuple[str, str], int] = defaultdict(int)
    fair: dict[tuple[str, str], float] = {}
    lines: dict[tuple[str, str, str], int] = defaultdict(int)
    for item in sorted(by_item_n):
        needs = by_item_n[item]
        pledges = by_item_p.get(item, [])
        if not pledges:
            continue
        res = _fair_levels(pledges, needs)
        for n, lvl in zip(needs, res.levels, strict=True):
            fair[(n.recipient, item)] = lvl
        for p_i, n_i, q in _locality_flow(pledges, needs, res.levels, res.totals, res.excess):
            if q > 0:
                n = needs[n_i]
                lines[(pledges[p_i].id, n.recipient, item)] += q
                allocated[(n.recipient, item)] += q

    return _assemble(problem, lines, allocated, fair, time.perf_counter() - started)


def _assemble(
    problem: Problem,
    lines: dict[tuple[str, str, str], int],
    allocated: dict[tuple[str, str], int],
    fair: dict[tuple[str, str], float],
    seconds: float,
) -> Plan:
    pledge_by_id = {p.id: p for p in problem.pledges}
    need_by_key = {(n.recipient, n.item): n for n in problem.needs}
    allocations = []
    cost_total = 0
    same_regency = 0
    units_by_level = dict.fromkeys(LEVELS, 0)
    for (pid, recipient, item), qty in sorted(lines.items()):
        p = pledge_by_id[pid]
        n = need_by_key[(recipient, item)]
        shared = shared_components(p.area, n.area)
        allocations.append(
            Allocation(
                pid,
                recipient,
                item,
                qty,
                shared,
                LEVELS[shared],
                5 - shared,
                n.priority,
                n.quantity,
                allocated[(recipient, item)],
            )
        )
        cost_total += (5 - shared) * qty
        same_regency += qty if shared >= 2 else 0
        units_by_level[LEVELS[shared]] += qty

    results = []
    groups: dict[tuple[str, int], list[NeedResult]] = defaultdict(list)
    for n in problem.needs:
        key = (n.recipient, n.item)
        r = NeedResult(
            n.recipient,
            n.item,
            n.priority,
            n.quantity,
            allocated.get(key, 0),
            fair.get(key, 0.0 if n.quantity else 1.0),
        )
        results.append(r)
        if n.quantity > 0:
            groups[(n.item, n.priority)].append(r)
    summaries = tuple(
        GroupSummary(
            item=item,
            priority=prio,
            needs=len(rs),
            need=sum(r.quantity for r in rs),
            allocated=sum(r.allocated for r in rs),
            lowest_ratio=min(r.ratio for r in rs),
            fair_level=min(r.fair_ratio for r in rs),
            needs_at_zero=sum(1 for r in rs if r.allocated == 0),
        )
        for (item, prio), rs in sorted(groups.items())
    )
    total_alloc = sum(lines.values())
    summary = Summary(
        groups=summaries,
        pledged=sum(p.quantity for p in problem.pledges),
        need=sum(n.quantity for n in problem.needs),
        allocated=total_alloc,
        lowest_ratio=min((g.lowest_ratio for g in summaries), default=1.0),
        same_regency_share=same_regency / total_alloc if total_alloc else 0.0,
        locality_cost=cost_total,
        units_by_locality=tuple((lvl, units_by_level[lvl]) for lvl in reversed(LEVELS)),
        solve_seconds=seconds,
    )
    return Plan(tuple(allocations), tuple(results), summary)
