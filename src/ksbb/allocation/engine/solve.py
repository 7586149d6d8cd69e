"""The allocation solver.

Items never compete for the same pledges, and a pledge restricted to R only reaches needs
inside R, so every item splits into independent *parts*: one per topmost restriction area
(all unrestricted supply is one part). Parts are solved on their own, in processes when asked
(`workers`), with the same result as serial, in four stages.

1-2. Priority totals (rule b) and max-min fair levels (rule c), exactly, without an LP
   (fair.py). Which pledges can serve a need depends only on their restriction areas, which
   are nodes of the area tree, so the supply of a part flows down one tree whatever the
   pledges' own areas are. On it the lexicographic priority totals are bottom-up deficit
   passes, and the lexicographic max-min fair levels of the coverage ratios (per priority,
   in priority order, given those totals and the levels of more urgent priorities) come
   from water-filling: the level at which a rooted subtree first runs out of supply is a
   ratio of integers found by Dinkelbach's method, its classes are frozen there, and the
   subtrees hanging below it are filled on their own. Each need n ends with a level t_n, an
   exact fraction; the lowest of them is the best achievable lowest ratio t*.

   Needs of the same item and priority whose area lies below the same deepest restriction node
   can be served by exactly the same pledges, so max-min fairness gives them equal ratios; they
   are pooled into one *class*.

   The LP path (`fairness="lp"`) computes the same figures with HiGHS and is kept as a
   cross-check (tests compare the two on every problem family) and as the fallback should
   the tree path ever fail its own invariant (the units its levels give must equal the
   priority total). It runs progressive filling: maximise t such that every still-free
   class gets at least t x its demand, with all totals held fixed and the levels of earlier
   priorities as lower bounds; the classes whose constraint has a positive dual are blocked
   at t in every optimal solution (complementary slackness), so they are frozen at level t
   and the LP is solved again for the others. A frozen class keeps exactly what it has in
   the solution that froze it, so nothing but round-off moves to the classes still rising.
   (Freezing at t x demand - 1e-6 x demand, as before, released whole units at national
   size; later levels rose past what stage 3 could meet and HiGHS reported it infeasible:
   issue 20.) National problems needed hundreds of these LPs per part; the tree path needs
   a few passes over the nodes.

2b. Integral class totals. The whole-unit bounds of stage 3, floor(t_n q_n) <= x_n <=
   ceil(t_n q_n), are exact on the tree path (from the LP path's floats, consistent only if
   no round-off moved a share across an integer). Before stage 3 one more network LP on the
   reachability network finds integral class totals meeting the priority totals exactly
   and, as far as possible, first the floor guarantee floor(t* q_n), then the sums of those
   bounds. It is always feasible
   (the totals are what stage 1 achieved with the same network), its vertex is integral, and
   it is checked in exact integers. Where a total falls outside its class's bounds (normally
   never), the fewest bounds are widened and the plan says so (summary `fallback`). The
   integral totals then *prove* stage 3 feasible: they are a flow meeting its bounds.

3. Locality (rule d). One min-cost flow on a network shaped like the area tree, with every need
   line within the bounds above and the priority totals fixed; a vertex is integral (rule e),
   checked in integers. Should HiGHS still fail (numerical trouble only: the LP is feasible),
   the integral totals of stage 2b are passed down the reachability network instead: rules
   (a), (b), (c) and (e) hold, locality is not optimised, and the summary's `fallback` says
   "locality_not_optimised". Every LP that fails is first solved again from scratch with
   dual simplex and with interior point.

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

import contextlib
import functools
import gc
import itertools
import math
import operator
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import highspy
import numpy as np

from .fair import fair_levels as _tree_levels
from .plan import GroupSummary, Plan, PlanColumns, Summary
from .problem import LEVELS, Need, Pledge, Problem, code_depth, shared_components

__all__ = ["SolverError", "no_gc", "solve"]

_INF = math.inf
_EPS = 1e-7
_NODE_PRIORITY = operator.itemgetter(0, 1)


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
    duals, objective). Every LP the engine solves has an optimum, so anything else is
    numerical trouble: the model is solved again from scratch, with dual simplex and then
    with interior point, before SolverError is raised."""
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        solver = h.getOptions().solver
        for retry in ("simplex", "ipm"):
            h.clearSolver()
            h.setOptionValue("solver", retry)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                break
        h.setOptionValue("solver", solver)
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


# Where each component of a Kemendagri code ends (validated codes have fixed widths).
_ENDS = (2, 5, 8, 13, 17)


def _shared(a: str, b: str) -> int:
    """shared_components for validated codes: components ending within the common prefix."""
    if a == b:
        return len(a.split(".")) if a else 0
    n = 0
    for end in _ENDS:
        if end > len(a) or end > len(b) or a[:end] != b[:end]:
            break
        n += 1
    return n


def _deepest_in(nodes: set[str] | dict[str, Any]) -> Any:
    """A function giving the deepest ancestor-or-self of a code that is in `nodes` (None if
    none is). Components have fixed widths, so an ancestor is a prefix of a known length:
    only the lengths of the nodes are tried, deepest first."""
    lengths = sorted({len(c) for c in nodes}, reverse=True)

    def deepest(code: str) -> str | None:
        size = len(code)
        for length in lengths:
            if length <= size:
                prefix = code[:length]
                if prefix in nodes:
                    return prefix
        return None

    return deepest


def _is_within(code: str, area: str) -> bool:
    return area == "" or code == area or code.startswith(area + ".")


# --------------------------------------------------------------------------------------------
# Independent parts


def _split(
    pledges: Sequence[Pledge], needs: Sequence[Need], p_idx: list[int], n_idx: list[int]
) -> list[tuple[str, list[int], list[int]]]:
    """Split one item (the pledges and needs at positions `p_idx` and `n_idx`) into parts
    that share no pledge: a pledge restricted to R reaches only needs inside R, so the supply
    trees under different topmost restriction areas never meet (all unrestricted supply is
    one tree, rooted at ''). Needs that no pledge can reach are left out: they get nothing
    and their fair level is 0. Lexicographic priority totals, max-min fair levels and the
    least-cost flow of a problem made of independent parts are those of its parts, so solving
    them one by one changes nothing but the work. Returns (root, pledge positions, need
    positions) per part."""
    roots = {pledges[k].restrict_to or "" for k in p_idx}
    if "" in roots:  # unrestricted supply reaches every need: one part
        return [("", p_idx, n_idx)] if n_idx else []
    by_root_p: dict[str, list[int]] = defaultdict(list)
    by_root_n: dict[str, list[int]] = defaultdict(list)
    top: dict[str, str | None] = {}

    def root(code: str) -> str | None:
        if code not in top:
            top[code] = next((a for a in reversed(_ancestors(code)) if a in roots), None)
        return top[code]

    for k in p_idx:
        by_root_p[root(pledges[k].restrict_to or "") or ""].append(k)
    for k in n_idx:
        r = root(needs[k].area)
        if r is not None:
            by_root_n[r].append(k)
    return [(r, by_root_p[r], by_root_n[r]) for r in sorted(by_root_n)]


# --------------------------------------------------------------------------------------------
# Stages 1 and 2 on the reachability network


@dataclass
class _Class:
    node: str  # deepest restriction node above the needs
    priority: int
    needs: list[int]  # indices into the part's need list
    demand: int
    level: float = 0.0  # max-min fair coverage ratio once frozen
    exact: Fraction | None = None  # the same, exactly (tree path)


@dataclass
class _Net:
    """Reachability network of one part: supply nodes (restriction areas, '' for unrestricted
    pledges) fed by the pledges restricted to them, each passing supply down to the supply
    nodes below it; every class hangs from its deepest supply node."""

    nodes: list[str]  # parents before children
    supply: dict[str, int]
    parent: dict[str, str | None]
    classes: list[_Class]  # by priority, then depth, then node


@dataclass
class _Areas:
    """The needs of a part as small integers: their distinct areas and priorities, and which
    of each every need has. Worked out once per part: both groupings (reachability classes,
    locality groups) start from it."""

    areas: list[str]
    area_of: np.ndarray  # per need, its position in `areas`
    priorities: list[int]
    prio_of: np.ndarray  # per need, its position in `priorities`

    @classmethod
    def of(cls, needs: Sequence[Need]) -> _Areas:
        area_ids: dict[str, int] = {}
        area_of = [area_ids.setdefault(n[4], len(area_ids)) for n in needs]
        prio_ids: dict[int, int] = {}
        prio_of = [prio_ids.setdefault(n[3], len(prio_ids)) for n in needs]
        return cls(list(area_ids), np.asarray(area_of, dtype=np.int64), list(prio_ids),
                   np.asarray(prio_of, dtype=np.int64))


def _group_needs(areas: _Areas, hang: Any) -> list[tuple[str, int, list[int]]]:
    """Need positions grouped by (the node `hang(area)` gives, priority), each group in
    ascending order, groups in no particular order; needs whose node is None are left out.
    Grouping is an integer sort, and `hang` runs once per distinct area."""
    if not len(areas.area_of):
        return []
    node_ids: dict[str | None, int] = {}
    node_of_area = [node_ids.setdefault(hang(a), len(node_ids)) for a in areas.areas]
    width = len(areas.priorities)
    key = np.asarray(node_of_area, dtype=np.int64)[areas.area_of] * width + areas.prio_of
    order = np.argsort(key, kind="stable")  # stable: ascending positions within a group
    ordered = key[order]
    starts = np.flatnonzero(np.diff(ordered)) + 1
    nodes = list(node_ids)
    groups = []
    for first, members in zip(ordered[np.concatenate(([0], starts))].tolist(),
                              np.split(order, starts), strict=True):
        node = nodes[first // width]
        if node is not None:
            groups.append((node, areas.priorities[first % width], members.tolist()))
    return groups


def _network(pledges: Sequence[Pledge], needs: Sequence[Need], areas: _Areas | None = None
             ) -> _Net:
    supply: dict[str, int] = defaultdict(int)
    for p in pledges:
        supply[p.restrict_to or ""] += p.quantity
    nodes = sorted(supply, key=lambda c: (code_depth(c), c))
    parent = {c: next((a for a in _ancestors(c)[1:] if a in supply), None) for c in nodes}
    # Needs that no supply node is above (node None) are left out: their level stays 0.
    quantity = [n[2] for n in needs]
    ordered = [
        _Class(node, priority, members, sum(map(quantity.__getitem__, members)))
        for node, priority, members in sorted(
            _group_needs(areas or _Areas.of(needs), _deepest_in(supply)),
            key=lambda g: (g[1], code_depth(g[0]), g[0]),
        )
    ]
    return _Net(nodes, dict(supply), parent, ordered)


def _network_lp(net: _Net) -> tuple[_Lp, dict[str, int], dict[str, int], dict[str, int]]:
    """Rows: conservation per supply node. Columns: supply per node, arc from the parent."""
    lp = _Lp()
    node_row = {c: lp.row() for c in net.nodes}
    supply_col: dict[str, int] = {}
    tree_col: dict[str, int] = {}
    for c in net.nodes:
        supply_col[c] = lp.col(0.0, 0.0, float(net.supply[c]), [(node_row[c], 1.0)])
        above = net.parent[c]
        if above is not None:
            tree_col[c] = lp.col(0.0, 0.0, _INF, [(node_row[above], -1.0), (node_row[c], 1.0)])
    return lp, node_row, supply_col, tree_col


def _fair_levels_tree(net: _Net) -> dict[int, int]:
    """Stages 1 and 2 for one part on the restriction tree, exactly (see fair.py): the
    priority totals, and the levels set on the classes."""
    at = {c: k for k, c in enumerate(net.nodes)}
    parents = [-1 if net.parent[c] is None else at[net.parent[c]] for c in net.nodes]  # type: ignore[index]
    result = _tree_levels(
        parents,
        [net.supply[c] for c in net.nodes],
        [(at[c.node], c.priority, c.demand) for c in net.classes],
    )
    for cls, level in zip(net.classes, result.levels, strict=True):
        cls.exact = level
        cls.level = float(level)
    return result.totals


def _fair_levels(net: _Net) -> tuple[dict[int, int], bool]:
    """Stages 1 and 2 for one part: lexicographic priority totals, then max-min fair levels
    (set on the classes). Returns the totals and whether progressive filling had to stop
    early on numerical trouble (the levels are then lower than they could be)."""
    ordered = net.classes
    priorities = sorted({c.priority for c in ordered})
    totals: dict[int, int] = {}

    # One model, modified in place between solves so that HiGHS can hot-start from the
    # previous basis. Columns: the network, one x_c per class, t. Rows: conservation per
    # node, total per priority, x_c - demand_c * t >= 0.
    lp, node_row, _, _ = _network_lp(net)
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
        members = np.array([class_col[k] for k, c in enumerate(ordered) if c.priority == prio],
                           np.int32)
        h.changeColsCost(len(members), members, np.ones(len(members)))
        _, _, best = _run(h)
        # A max flow with integral data: its optimum is an integer.
        totals[prio] = round(best)
        h.changeRowBounds(prio_row[prio], float(totals[prio]), float(totals[prio]))
        h.changeColsCost(len(members), members, np.zeros(len(members)))

    h.changeColCost(t_col, 1.0)
    h.changeColBounds(t_col, -_INF, _INF)
    for prio in priorities:
        free = [k for k, c in enumerate(ordered) if c.priority == prio]
        for k in free:
            h.changeCoeff(fair_row[k], t_col, -float(ordered[k].demand))
        t = 0.0
        while free:
            try:
                values, duals, _ = _run(h)
            except SolverError:
                # Leave the rest at the last level reached (0 for later priorities): the
                # integral stage still finds a plan meeting (a), (b) and the totals.
                for k in free:
                    ordered[k].level = t
                return totals, True
            t = min(1.0, max(0.0, float(values[t_col])))
            if t >= 1.0 - 1e-9:
                t, blocked = 1.0, free
            else:
                # A positive dual means that constraint is tight in every optimal solution.
                blocked = [k for k in free if abs(duals[fair_row[k]]) * ordered[k].demand > 1e-7]
                if not blocked:  # numerically degenerate: freeze everyone at t (still >= t*)
                    blocked = free
            for k in blocked:
                cls = ordered[k]
                cls.level = t
                # Frozen at what it has in this very solution (t x demand up to round-off):
                # the next LP stays feasible from this point, and no more than round-off is
                # released to the classes still rising. A tolerance proportional to the
                # demand released whole units at national size: the later classes' levels
                # then rose past what the integral bounds could meet (issue 20).
                low = max(0.0, min(t * cls.demand, float(values[class_col[k]])))
                h.changeColBounds(class_col[k], low, float(cls.demand))
                h.changeCoeff(fair_row[k], t_col, 0.0)
            done = set(blocked)
            free = [k for k in free if k not in done]
    return totals, False


# --------------------------------------------------------------------------------------------
# Stage 2b: integral class totals, which prove the bounds of stage 3 feasible

# Fair shares t x quantity are rationals known up to LP round-off (about 1e-9 relative);
# whole-unit bounds are taken this far from the integers.
_ROUND = 1e-6


@dataclass
class _Targets:
    """An integral solution of the reachability network: units per class, and the flow on
    the network's columns (supply per node, arc from the parent)."""

    units: list[int]
    supply: dict[str, int]
    tree: dict[str, int]


def _integral_targets(
    net: _Net, totals: dict[int, int], lo: Sequence[int], hi: Sequence[int], floor: Sequence[int]
) -> _Targets:
    """An integral class allocation meeting the priority totals exactly and, as far as the
    network allows, floor <= units <= demand first and lo <= units <= hi second.

    Always feasible: units of 0..demand per class with the priority totals of stage 1 is what
    stage 1 itself achieved. Every column runs between two rows with -1 and +1 (the priority
    rows act as sinks), so the LP is a network flow with integral data and the simplex vertex
    is integral; it is checked in exact integers all the same."""
    lp, node_row, supply_col, tree_col = _network_lp(net)
    priorities = sorted({c.priority for c in net.classes})
    prio_row = {p: lp.row(float(totals[p]), float(totals[p])) for p in priorities}
    # Per class, four parallel columns: up to the floor guarantee, up to the fair floor, up
    # to the fair ceiling, up to the demand. Their costs make the deviation convex.
    pieces: list[tuple[int, int, int, int]] = []
    for k, c in enumerate(net.classes):
        entries = [(node_row[c.node], -1.0), (prio_row[c.priority], 1.0)]
        widths = (floor[k], lo[k] - floor[k], hi[k] - lo[k], c.demand - hi[k])
        assert min(widths) >= 0, (c, widths)
        f, lw, m, o = (lp.col(0.0, 0.0, float(w), entries) for w in widths)
        pieces.append((f, lw, m, o))
    h = lp.highs(maximize=False)
    f_cols = np.array([p[0] for p in pieces], np.int32)
    l_cols = np.array([p[1] for p in pieces], np.int32)
    o_cols = np.array([p[3] for p in pieces], np.int32)
    n = len(pieces)
    # Phase 1: as much of the floor guarantee as the totals allow (normally all of it).
    h.changeColsCost(n, f_cols, -np.ones(n))
    values, _, _ = _run(h)
    # Phase 2: keep that, then stay within the fair floor and ceiling as far as possible.
    kept = np.rint(values[f_cols])
    h.changeColsBounds(n, f_cols, kept, np.array([float(w) for w in floor]))
    h.changeColsCost(n, f_cols, np.zeros(n))
    h.changeColsCost(n, l_cols, -np.ones(n))
    h.changeColsCost(n, o_cols, np.ones(n))
    values, _, _ = _run(h)
    flow = np.rint(values).astype(np.int64)

    units = [int(sum(flow[c] for c in p)) for p in pieces]
    supply = {c: int(flow[supply_col[c]]) for c in net.nodes}
    tree = {c: int(flow[k]) for c, k in tree_col.items()}
    # Exact check: bounds, conservation at every node, priority totals.
    ok = all(0 <= supply[c] <= net.supply[c] for c in net.nodes)
    ok = ok and all(v >= 0 for v in tree.values())
    ok = ok and all(0 <= u <= c.demand for u, c in zip(units, net.classes, strict=True))
    balance = dict(supply)
    for code, v in tree.items():
        balance[code] += v
        balance[net.parent[code]] -= v  # type: ignore[index]
    got: dict[int, int] = defaultdict(int)
    for u, cls in zip(units, net.classes, strict=True):
        balance[cls.node] -= u
        got[cls.priority] += u
    ok = ok and all(v == 0 for v in balance.values())
    ok = ok and all(got[p] == totals[p] for p in priorities)
    if not ok:
        raise SolverError("HiGHS: integral class totals failed the exact check")
    return _Targets(units, supply, tree)


# Products below this fit in numpy's int64 with room to spare.
_INT64_SAFE = 2**62


def _shares(
    net: _Net, needs: Sequence[Need]
) -> tuple[list[int], list[int], list[int]]:
    """Per need: floor(t* x quantity) (t* the lowest fair level of its priority in the part),
    and floor and ceil of its fair share t_n x quantity. Exact where the levels are (tree
    path); from the LP path's floats, taken _ROUND away from the integers."""
    size = len(needs)
    floors, lo, hi = [0] * size, [0] * size, [0] * size
    if all(c.exact is not None for c in net.classes):
        low_exact: dict[int, Fraction] = {}
        for c in net.classes:
            assert c.exact is not None
            prev = low_exact.get(c.priority)
            low_exact[c.priority] = c.exact if prev is None else min(prev, c.exact)
        fractions = [(c.exact, low_exact[c.priority]) for c in net.classes]
        sizes = [len(c.needs) for c in net.classes]
        members = np.fromiter(itertools.chain.from_iterable(c.needs for c in net.classes),
                              dtype=np.int64, count=sum(sizes))
        quantity = np.fromiter((needs[i][2] for i in members.tolist()), dtype=np.int64,
                               count=len(members))
        top = max((max(t.numerator, t.denominator, w.numerator, w.denominator)  # type: ignore[union-attr]
                   for t, w in fractions), default=0)
        if top * (int(quantity.max(initial=0)) + 1) < _INT64_SAFE:
            # Numerators times quantities fit in 64 bits (always, in practice): whole arrays
            # at once, floor division being exact on them.
            def per_need(values: list[int]) -> np.ndarray:
                return np.repeat(np.asarray(values, dtype=np.int64), sizes)

            num = per_need([t.numerator for t, _ in fractions])  # type: ignore[union-attr]
            den = per_need([t.denominator for t, _ in fractions])  # type: ignore[union-attr]
            lnum = per_need([w.numerator for _, w in fractions])
            lden = per_need([w.denominator for _, w in fractions])
            columns = []
            for values in (lnum * quantity // lden, num * quantity // den,
                           -(-num * quantity // den)):
                column = np.zeros(size, dtype=np.int64)  # needs in no class get nothing
                column[members] = values
                columns.append(column.tolist())
            return columns[0], columns[1], columns[2]
        for c in net.classes:
            assert c.exact is not None
            num_, den_ = c.exact.numerator, c.exact.denominator
            low = low_exact[c.priority]
            lnum_, lden_ = low.numerator, low.denominator
            for i in c.needs:
                q = needs[i].quantity
                lo[i] = num_ * q // den_
                hi[i] = -(-num_ * q // den_)
                floors[i] = lnum_ * q // lden_
        return floors, lo, hi
    lowest: dict[int, float] = {}
    for c in net.classes:
        lowest[c.priority] = min(lowest.get(c.priority, 1.0), c.level)
    floor, ceil = math.floor, math.ceil
    for c in net.classes:
        low_t = lowest[c.priority]
        t = c.level
        for i in c.needs:
            q = needs[i].quantity
            v = t * q
            a = min(q, max(0, floor(v + _ROUND)))
            floors[i] = min(a, max(0, floor(low_t * q + _ROUND)))
            lo[i] = a
            hi[i] = min(q, max(a, ceil(v - _ROUND)))
    return floors, lo, hi


def _need_bounds(
    net: _Net,
    targets: _Targets,
    quantity: Sequence[int],
    floors: Sequence[int],
    lo: list[int],
    hi: list[int],
) -> int:
    """Make the whole-unit bounds (floor and ceil of the fair shares, changed in place)
    consistent with the integral class totals, which they contain unless LP round-off moved
    a share across an integer; then the fewest units are moved, keeping the floor guarantee.
    Returns how many units had to move outside the fair floor/ceil (normally 0)."""
    relaxed = 0
    for k, cls in enumerate(net.classes):
        units = targets.units[k]
        short = sum(lo[i] for i in cls.needs) - units
        if short > 0:
            relaxed += short
            for keep_floor in (True, False):
                for i in reversed(cls.needs):
                    cut = min(short, lo[i] - (floors[i] if keep_floor else 0))
                    if cut > 0:
                        lo[i] -= cut
                        short -= cut
        over = units - sum(hi[i] for i in cls.needs)
        if over > 0:
            relaxed += over
            for i in cls.needs:
                add = min(over, quantity[i] - hi[i])
                hi[i] += add
                over -= add
    return relaxed


# --------------------------------------------------------------------------------------------
# Stage 3: min locality cost on the area-tree network, then decomposition into pledge lines


@dataclass
class _Group:
    """Need lines of one item and priority hanging from the same down-tree node: they are
    interchangeable for cost purposes."""

    area: str  # the down-tree node
    priority: int
    needs: list[int]


def _locality_flow(
    pledges: Sequence[Pledge],
    needs: Sequence[Need],
    levels: Sequence[float],
    bounds: Sequence[tuple[int, int]],
    totals: dict[int, int],
    areas: _Areas | None = None,
) -> np.ndarray:
    """Return (pledge index, need index, quantity) rows of a min-cost allocation within
    `bounds` meeting `totals`, one per pair. The caller has proved such an allocation
    exists."""
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
    # The root '' is an entry: every need hangs from some node.
    group_list = [_Group(node, priority, members) for node, priority, members
                  in sorted(_group_needs(areas or _Areas.of(needs), _deepest_in(entries)),
                            key=_NODE_PRIORITY)]
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
    prio_row: dict[int, int] = {}
    for prio in sorted({g.priority for g in group_list}):
        prio_row[prio] = node_count + len(prio_row)

    # Arcs: tail node (-1: a supply group), head node (-1: a need group), the priority row a
    # need arc also counts in (-1: none), cost and bounds; and, for the decomposition, the
    # supply or need group of the end arcs.
    tails: list[int] = []
    heads: list[int] = []
    extras: list[int] = []
    costs: list[float] = []
    lows: list[float] = []
    highs: list[float] = []
    arc_supply: dict[int, tuple[str, str]] = {}
    arc_need: dict[int, _Group] = {}

    for key in sorted(supply_groups):
        area, layer = key
        qty = float(sum(pledges[i].quantity for i in supply_groups[key]))
        if _is_within(area, layer):
            head, cost = up[(layer, area)], 5.0 - code_depth(area)
        elif layer in dn:
            head, cost = dn[layer], 5.0 - shared_components(area, layer)
        else:
            continue  # no need inside the restriction
        arc_supply[len(tails)] = key
        tails.append(-1)
        heads.append(head)
        extras.append(-1)
        costs.append(cost)
        lows.append(0.0)
        highs.append(qty)
    for (layer, a), node in sorted(up.items(), key=lambda kv: kv[1]):
        if a != layer:
            tails.append(node)
            heads.append(up[(layer, _prefix(a, code_depth(a) - 1))])
            costs.append(1.0)
        if a in dn:
            tails.append(node)
            heads.append(dn[a])
            costs.append(0.0)
    for a in down_nodes:
        if a:
            tails.append(dn[next(p for p in _ancestors(a)[1:] if p in dn)])
            heads.append(dn[a])
            costs.append(0.0)
    inner = len(tails) - len(extras)
    extras.extend([-1] * inner)
    lows.extend([0.0] * inner)
    highs.extend([_INF] * inner)
    # Bounds of the need arcs: the sums of their members' bounds.
    members_at = np.fromiter(itertools.chain.from_iterable(g.needs for g in group_list),
                             dtype=np.int64, count=len(needs))  # every need is in a group
    sizes = np.fromiter((len(g.needs) for g in group_list), dtype=np.int64,
                        count=len(group_list))
    group_start = np.zeros(len(group_list), dtype=np.int64)
    np.cumsum(sizes[:-1], out=group_start[1:])
    need_bounds = np.array(bounds, dtype=np.int64).reshape(-1, 2)
    sums = (np.add.reduceat(need_bounds[members_at], group_start, axis=0) if group_list
            else np.zeros((0, 2), dtype=np.int64))
    for g in group_list:
        arc_need[len(tails)] = g
        tails.append(dn[g.area])
        heads.append(-1)
        extras.append(prio_row[g.priority])
        costs.append(0.0)
    lows.extend(sums[:, 0].astype(np.float64).tolist())
    highs.extend(sums[:, 1].astype(np.float64).tolist())

    rows = node_count + len(prio_row)
    row_bound = np.zeros(rows)
    for prio, r in prio_row.items():
        row_bound[r] = float(totals.get(prio, 0))
    ends = np.array([tails, heads, extras], dtype=np.int64).T  # one row per arc
    present = ends >= 0
    index = ends[present]  # column by column: tail, head, priority row
    value = np.broadcast_to(np.array([-1.0, 1.0, 1.0]), ends.shape)[present]
    start = np.zeros(len(tails) + 1, dtype=np.int64)
    np.cumsum(present.sum(axis=1), out=start[1:])
    col_lower = np.array(lows)
    col_upper = np.array(highs)

    lp = highspy.HighsLp()
    lp.num_col_ = len(tails)
    lp.num_row_ = rows
    lp.col_cost_ = np.array(costs)
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_bound
    lp.row_upper_ = row_bound
    lp.sense_ = highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value
    h = _new_highs()
    h.passModel(lp)
    if len(tails) > _IPX_FROM:
        # Interior point + crossover ends on a vertex too, and is 2-3x faster than dual
        # simplex on this LP at national size (slower on small ones); a vertex of this
        # network LP is integral.
        h.setOptionValue("solver", "ipx")
    values, _, _ = _run(h)
    flow = np.rint(values).astype(np.int64)
    if np.abs(values - flow).max(initial=0.0) > 1e-6:
        # Crossover should have returned a vertex; simplex from here certainly does.
        h.setOptionValue("solver", "simplex")
        values, _, _ = _run(h)
        flow = np.rint(values).astype(np.int64)
    _check_flow(flow, col_lower, col_upper, index, value, start, row_bound)
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


# Columns from which the locality LP is solved by interior point rather than dual simplex.
_IPX_FROM = 20_000


def _check_flow(
    flow: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
    start: np.ndarray,
    row_bound: np.ndarray,
) -> None:
    """The rounded flow, checked in integers: within its column bounds, conserved at every
    node, priority totals met. Anything else is numerical trouble (SolverError)."""
    if np.any(flow < lower) or np.any(flow > upper):
        raise SolverError("HiGHS: the locality flow is outside its bounds")
    activity = np.zeros(len(row_bound), dtype=np.int64)
    coef = np.rint(value).astype(np.int64)
    np.add.at(activity, index, coef * np.repeat(flow, np.diff(start)))
    if np.any(activity != np.rint(row_bound).astype(np.int64)):
        raise SolverError("HiGHS: the locality flow breaks conservation or a total")


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
) -> np.ndarray:
    """Split the acyclic integral flow into pledge -> need quantities, deterministically: each
    node passes on the pledge units it received, first in first out, to its outgoing arcs in
    arc order."""
    inbox: list[list[list[int]]] = [[] for _ in range(node_count)]  # [pledge, units] chunks
    out_arcs: list[list[int]] = [[] for _ in range(node_count)]
    for k, (tail, head) in enumerate(zip(tails, heads, strict=True)):
        if flow[k] <= 0:
            continue
        if tail < 0:
            inbox[head].extend(_pledge_chunks(pledges, supply_groups[arc_supply[k]], int(flow[k])))
        else:
            out_arcs[tail].append(k)

    out = _Lines()
    for node in range(node_count):
        chunks = inbox[node]
        pos = 0
        for k in out_arcs[node]:
            if heads[k] >= 0:
                pos, taken = _take(chunks, pos, int(flow[k]))
                inbox[heads[k]].extend(taken)
            else:
                pos = _split_to_needs(arc_need[k].needs, int(flow[k]), chunks, pos, needs,
                                      levels, bounds, out)
        inbox[node] = []
    return out.merged(len(needs))


def _pledge_chunks(
    pledges: Sequence[Pledge], members: Sequence[int], units: int
) -> list[list[int]]:
    """`units` taken from the pledges `members`, in id order."""
    chunks = []
    for i in members:
        take = min(units, pledges[i].quantity)
        if take:
            chunks.append([i, take])
            units -= take
    return chunks


def _split_to_needs(
    members: Sequence[int],
    units: int,
    chunks: list[list[int]],
    pos: int,
    needs: Sequence[Need],
    levels: Sequence[float],
    bounds: Sequence[tuple[int, int]],
    out: _Lines,
) -> int:
    """Share `units`, taken from `chunks` ([pledge, units], first in first out, from `pos`),
    among need lines within their bounds (which the caller made consistent): everyone gets
    its lower bound, the rest goes one unit at a time by largest remainder of the fair share
    (ties: recipient order). Returns the position in `chunks` after the units taken."""
    amounts = [bounds[i][0] for i in members]
    extra = units - sum(amounts)
    if extra > 0:
        # (remainder, need, slot): need positions are distinct, so the slot never decides.
        order = sorted(
            (amounts[k] - levels[i] * needs[i].quantity, i, k)
            for k, i in enumerate(members)
            if amounts[k] < bounds[i][1]
        )
        while extra > 0:
            progressed = False
            for _, i, k in order:
                if amounts[k] < bounds[i][1]:
                    amounts[k] += 1
                    extra -= 1
                    progressed = True
                    if not extra:
                        break
            if not progressed:
                raise SolverError("need bounds inconsistent with the flow")  # pragma: no cover
    add_pledge, add_need, add_units = out.pledge.append, out.need.append, out.units.append
    for i, want in zip(members, amounts, strict=True):  # ascending: recipient order
        while want > 0:
            chunk = chunks[pos]
            have = chunk[1]
            add_pledge(chunk[0])
            add_need(i)
            if have <= want:
                add_units(have)
                want -= have
                pos += 1
            else:
                add_units(want)
                chunk[1] = have - want
                want = 0
    return pos


def _take(chunks: list[list[int]], pos: int, units: int) -> tuple[int, list[list[int]]]:
    """The first `units` of `chunks` from `pos`, and the position after them. Chunks taken
    whole are passed on as they are: the inbox they leave never reads them again."""
    taken: list[list[int]] = []
    while units > 0:
        chunk = chunks[pos]
        have = chunk[1]
        if have <= units:
            taken.append(chunk)
            units -= have
            pos += 1
        else:
            taken.append([chunk[0], units])
            chunk[1] = have - units
            units = 0
    return pos, taken


class _Lines:
    """Allocation lines as they are found, column by column: (pledge, need, units), where a
    pair may come up more than once (a need can take several chunks of the same pledge)."""

    __slots__ = ("need", "pledge", "units")

    def __init__(self) -> None:
        self.pledge: list[int] = []
        self.need: list[int] = []
        self.units: list[int] = []

    def merged(self, needs: int) -> np.ndarray:
        """One row (pledge, need, units) per pair, units added up, sorted by pledge then
        need."""
        if not self.units:
            return np.zeros((0, 3), dtype=np.int64)
        pledge = np.asarray(self.pledge, dtype=np.int64)
        need = np.asarray(self.need, dtype=np.int64)
        key = pledge * max(needs, 1) + need
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.concatenate(([0], np.flatnonzero(np.diff(key)) + 1))
        units = np.add.reduceat(np.asarray(self.units, dtype=np.int64)[order], first)
        return np.column_stack((pledge[order][first], need[order][first], units))


def _flow_from_targets(
    net: _Net,
    targets: _Targets,
    pledges: Sequence[Pledge],
    needs: Sequence[Need],
    levels: Sequence[float],
    bounds: Sequence[tuple[int, int]],
) -> np.ndarray:
    """Fallback when the locality LP fails numerically: the integral class totals, already
    checked in exact integers, passed down the reachability network first in first out.
    Rules (a), (b), (c) and (e) hold as for the optimal plan; locality is not optimised."""
    by_node: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pledges):
        by_node[p.restrict_to or ""].append(i)
    children: dict[str, list[str]] = defaultdict(list)
    for c in net.nodes:
        if net.parent[c] is not None:
            children[net.parent[c]].append(c)  # type: ignore[index]
    classes_at: dict[str, list[int]] = defaultdict(list)
    for k, cls in enumerate(net.classes):
        classes_at[cls.node].append(k)
    inbox: dict[str, list[list[int]]] = defaultdict(list)
    out = _Lines()
    for c in net.nodes:  # parents first
        chunks = inbox.pop(c, [])
        chunks.extend(_pledge_chunks(pledges, by_node[c], targets.supply[c]))
        pos = 0
        for k in classes_at[c]:
            pos = _split_to_needs(net.classes[k].needs, targets.units[k], chunks, pos, needs,
                                  levels, bounds, out)
        for child in children[c]:
            pos, taken = _take(chunks, pos, targets.tree[child])
            inbox[child].extend(taken)
    return out.merged(len(needs))


# --------------------------------------------------------------------------------------------
# One part, and the public entry point


@dataclass
class _PartResult:
    # One row per line: pledge, need (indices in the part's lists), units > 0. An array
    # rather than tuples: a worker's result is pickled back to the main process, and a
    # national plan has over 200,000 lines.
    lines: np.ndarray
    levels: list[float]  # fair level per need of the part
    relaxed: int  # units outside the fair floor/ceil (LP round-off; normally 0)
    locality_optimal: bool
    levels_complete: bool


def _solve_part(
    pledges: Sequence[Pledge], needs: Sequence[Need], fairness: str = "tree"
) -> _PartResult:
    """One part. `fairness`: "tree" computes stages 1 and 2 exactly on the restriction tree
    (fair.py); "lp" by progressive filling with HiGHS, kept as a cross-check (the tests
    compare the two) and as the fallback should the tree path ever fail its own check."""
    areas = _Areas.of(needs)
    net = _network(pledges, needs, areas)
    stopped = False
    if fairness == "tree":
        try:
            totals = _fair_levels_tree(net)
        except ArithmeticError:  # its invariant failed: a bug; the LP path still works
            for c in net.classes:
                c.exact = None
            fairness = "lp"
    if fairness == "lp":
        totals, stopped = _fair_levels(net)
    level_of = np.zeros(len(needs))  # needs in no class: level 0
    level_of[np.fromiter(itertools.chain.from_iterable(c.needs for c in net.classes),
                         dtype=np.int64)] = np.repeat([c.level for c in net.classes],
                                                      [len(c.needs) for c in net.classes])
    levels: list[float] = level_of.tolist()
    floors, lo, hi = _shares(net, needs)
    quantity = [n.quantity for n in needs]

    def targets() -> tuple[_Targets, int]:
        found = _integral_targets(
            net,
            totals,
            [sum(lo[i] for i in c.needs) for c in net.classes],
            [sum(hi[i] for i in c.needs) for c in net.classes],
            [sum(floors[i] for i in c.needs) for c in net.classes],
        )
        return found, _need_bounds(net, found, quantity, floors, lo, hi)

    # The locality LP below is feasible, so only numerical trouble in HiGHS could make it
    # fail. With exact levels that needs no proof by LP: every need's exact share t_n q_n
    # lies within its bounds, and these shares are a flow meeting the priority totals
    # (fair.py checks that they add up), so the network, with integral data, has an
    # integral flow within the bounds too. From the LP path's floats, stage 2b finds one and
    # makes the bounds agree with it.
    found, relaxed = (None, 0) if fairness == "tree" else targets()
    try:
        triples = _locality_flow(pledges, needs, levels, list(zip(lo, hi, strict=True)),
                                 totals, areas)
        optimal = True
    except SolverError:
        if found is None:
            found, relaxed = targets()
        bounds = list(zip(lo, hi, strict=True))
        triples = _flow_from_targets(net, found, pledges, needs, levels, bounds)
        optimal = False
    return _PartResult(
        triples[triples[:, 2] > 0],
        levels,
        relaxed,
        optimal,
        not stopped,
    )


# The parts being solved, for forked workers: they inherit it, so that only an index goes
# through the pipe (pickling a national problem's needs costs more than solving a part).
_FORK_PARTS: list[tuple[str, str, list[Pledge], list[Need]]] = []


def _solve_forked(k: int) -> _PartResult:
    _, _, pledges, needs = _FORK_PARTS[k]
    return _solve_part(pledges, needs)


def _parallel(
    parts: list[tuple[str, str, list[Pledge], list[Need]]], workers: int
) -> list[_PartResult]:
    """Solve the parts, in `workers` processes if more than one. Each part is solved the same
    way wherever it runs, and results are put back in part order: same output as serial."""
    if workers <= 1 or len(parts) <= 1:
        return [_solve_part(p, n) for _, _, p, n in parts]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _FORK_PARTS
    # Biggest first, so that the last part to finish is a small one.
    order = sorted(range(len(parts)), key=lambda k: (-len(parts[k][3]), k))
    results: list[_PartResult | None] = [None] * len(parts)
    context = multiprocessing.get_context("fork")
    _FORK_PARTS = parts
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=context) as pool:
            futures = {k: pool.submit(_solve_forked, k) for k in order}
            for k, future in futures.items():
                results[k] = future.result()
    finally:
        _FORK_PARTS = []
    return [r for r in results if r is not None]


def default_workers(problem: Problem) -> int:
    """Processes worth using for `problem` on this machine: one per core, but only when the
    problem is big enough to repay starting them."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1) if len(problem.needs) >= 50_000 else 1


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: the engine makes hundreds of thousands of small
    objects and no cycles worth collecting, and each collection pass walks all of them (5-10%
    of the work at national size)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def solve(problem: Problem, *, workers: int = 1) -> Plan:
    """Allocate the pledges of `problem` to its needs; see the module docstring for the rules
    and what is guaranteed. `workers` > 1 solves independent parts in that many processes
    (same result as serial)."""
    with no_gc():
        return _solve(problem, workers)


def item_parts(problem: Problem) -> list[tuple[str, str, list[Pledge], list[Need]]]:
    """The independent parts (item, root area, pledges, needs), in a fixed order: by item,
    then as `_split` cuts each item's tree. Pledges and needs of quantity 0 take no part."""
    pledges, needs = problem.pledges, problem.needs
    return [(item, root, [pledges[k] for k in p_idx], [needs[k] for k in n_idx])
            for item, root, p_idx, n_idx in _index_parts(problem)]


def _index_parts(problem: Problem) -> list[tuple[str, str, list[int], list[int]]]:
    """`item_parts` with positions in problem.pledges and problem.needs."""
    by_item_p: dict[str, list[int]] = defaultdict(list)
    by_item_n: dict[str, list[int]] = defaultdict(list)
    for k, p in enumerate(problem.pledges):
        if p.quantity > 0:
            by_item_p[p.item].append(k)
    for k, n in enumerate(problem.needs):
        if n.quantity > 0:
            by_item_n[n.item].append(k)
    parts: list[tuple[str, str, list[int], list[int]]] = []
    for item in sorted(by_item_n):
        p_idx = by_item_p.get(item)
        if p_idx:
            parts.extend(
                (item, root, p, n)
                for root, p, n in _split(problem.pledges, problem.needs, p_idx, by_item_n[item])
            )
    return parts


def _solve(problem: Problem, workers: int) -> Plan:
    started = time.perf_counter()
    indexed = _index_parts(problem)
    pledges, needs = problem.pledges, problem.needs
    parts = [(item, root, [pledges[k] for k in p_idx], [needs[k] for k in n_idx])
             for item, root, p_idx, n_idx in indexed]

    # Lines and per-need figures by position in the problem's sorted lists (pledges by id,
    # needs by recipient and item), so that sorting the plan is sorting integers.
    fair = np.array([0.0 if n.quantity else 1.0 for n in needs], dtype=np.float64)
    found: list[np.ndarray] = []
    relaxed = 0
    optimal = complete = True
    for (_, _, p_idx, n_idx), res in zip(indexed, _parallel(parts, workers), strict=True):
        at = np.asarray(n_idx, dtype=np.int64)
        fair[at] = res.levels
        found.append(np.column_stack(
            (np.asarray(p_idx, dtype=np.int64)[res.lines[:, 0]], at[res.lines[:, 1]],
             res.lines[:, 2])))
        relaxed += res.relaxed
        optimal = optimal and res.locality_optimal
        complete = complete and res.levels_complete
    lines = np.concatenate(found) if found else np.zeros((0, 3), dtype=np.int64)

    return _assemble(
        problem,
        lines,
        np.bincount(lines[:, 1], weights=lines[:, 2], minlength=len(needs)).astype(np.int64),
        fair,
        time.perf_counter() - started,
        fallback=_fallback_note(relaxed, optimal, complete),
    )


def _fallback_note(relaxed: int, optimal: bool, complete: bool) -> tuple[str, ...]:
    notes = []
    if not complete:
        notes.append("fair_levels_incomplete")
    if relaxed:
        notes.append(f"fair_bounds_relaxed:{relaxed}")
    if not optimal:
        notes.append("locality_not_optimised")
    return tuple(notes)


def _assemble(
    problem: Problem,
    lines: np.ndarray | Sequence[tuple[int, int, int]],
    allocated: np.ndarray | Sequence[int],
    fair: np.ndarray | Sequence[float],
    seconds: float,
    fallback: tuple[str, ...] = (),
) -> Plan:
    """The plan from (pledge index, need index, units) lines, units per need and fair level
    per need, indices into problem.pledges and problem.needs.

    Column-wise in numpy: at national size (200,000 lines, 235,000 needs) a Python object per
    line or per need here cost more than writing the plan."""
    pledges = problem.pledges
    needs = problem.needs
    table = np.asarray(lines, dtype=np.int64).reshape(-1, 3)
    # (pledge, need) pairs are distinct, so this is the order of the sorted (p, n, q) triples.
    table = table[np.argsort(table[:, 0] * max(len(needs), 1) + table[:, 1], kind="stable")]
    p_col, n_col, q_col = table[:, 0], table[:, 1], table[:, 2]
    got = np.asarray(allocated, dtype=np.int64).reshape(-1)
    shared_col = _shared_per_line(
        [p.area for p in pledges], list(map(operator.itemgetter(4), needs)), p_col, n_col)
    by_shared: list[int] = np.bincount(shared_col, weights=q_col, minlength=len(LEVELS)
                                       ).astype(np.int64).tolist()
    cost_total = sum((5 - shared) * qty for shared, qty in enumerate(by_shared))
    same_regency = sum(qty for shared, qty in enumerate(by_shared) if shared >= 2)
    units_by_level = {LEVELS[k]: q for k, q in enumerate(by_shared)}

    recipient, item, quantity, priority = (list(map(operator.itemgetter(k), needs))
                                           for k in range(4))
    need_quantity = np.asarray(quantity, dtype=np.int64).reshape(-1)
    need_priority = np.asarray(priority, dtype=np.int64).reshape(-1)
    levels = np.asarray(fair, dtype=np.float64).reshape(-1)
    summaries = _group_summaries(item, need_quantity, need_priority, got, levels)
    total_alloc = sum(by_shared)
    summary = Summary(
        groups=summaries,
        pledged=sum(p.quantity for p in problem.pledges),
        need=int(need_quantity.sum()),
        allocated=total_alloc,
        lowest_ratio=min((g.lowest_ratio for g in summaries), default=1.0),
        same_regency_share=same_regency / total_alloc if total_alloc else 0.0,
        locality_cost=cost_total,
        units_by_locality=tuple((lvl, units_by_level[lvl]) for lvl in reversed(LEVELS)),
        solve_seconds=seconds,
        fallback=fallback,
    )
    # The Allocation and NeedResult objects are made only if asked for.
    return Plan.from_columns(
        PlanColumns(
            recipient=_objects(recipient),
            item=_objects(item),
            need_quantity=need_quantity,
            priority=need_priority,
            allocated=got,
            fair=levels,
            pledge=_objects([p.id for p in pledges])[p_col],
            need=n_col,
            quantity=q_col,
            shared=shared_col,
        ),
        summary,
    )


def _shared_per_line(
    pledge_areas: list[str], need_areas: list[str], p_col: np.ndarray, n_col: np.ndarray
) -> np.ndarray:
    """`_shared` of the pledge's and the need's area of every line, in numpy: the component
    ends (_ENDS) within the common prefix of the two codes, or the code's components where
    they are equal. A Python call per distinct pair of areas cost 0.1 s at national size."""
    if not len(p_col):
        return np.zeros(0, dtype=np.int64)
    a, b = np.array(pledge_areas, dtype=str), np.array(need_areas, dtype=str)
    width = max(a.dtype.itemsize, b.dtype.itemsize) // 4
    a_len, b_len = np.strings.str_len(a)[p_col], np.strings.str_len(b)[n_col]
    # Characters as UCS-4 integers, padded with zeros to the same width.
    same = (a.astype(f"U{width}").view(np.uint32).reshape(-1, width)[p_col]
            == b.astype(f"U{width}").view(np.uint32).reshape(-1, width)[n_col])
    common = np.where(same.all(axis=1), width, same.argmin(axis=1))
    common = np.minimum(common, np.minimum(a_len, b_len))
    shared = np.searchsorted(np.array(_ENDS), common, side="right")
    equal = (common == a_len) & (a_len == b_len)
    components = np.strings.count(a, ".")[p_col] + (a_len > 0)
    return np.where(equal, components, shared).astype(np.int64)


def _objects(values: list[Any]) -> np.ndarray:
    # np.array would make a string array, or a 2-d one from tuples.
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _group_summaries(
    item: list[str], wanted: np.ndarray, prio: np.ndarray, allocated: np.ndarray,
    fair: np.ndarray,
) -> tuple[GroupSummary, ...]:
    """Per (item, priority), sorted, over the need lines with quantity > 0: need lines, need,
    allocated, lowest ratio, lowest fair level (both at most 1), lines at zero."""
    if not item:
        return ()
    names = sorted(set(item))
    name_id = {name: k for k, name in enumerate(names)}
    low = int(prio.min())
    span = int(prio.max()) - low + 1
    # Ordered as (item name, priority): the order of the summary.
    key = np.fromiter(map(name_id.__getitem__, item), dtype=np.int64, count=len(item)) * span
    key += prio - low
    keep = wanted > 0
    groups, at = np.unique(key[keep], return_inverse=True)
    at = at.reshape(-1)
    wanted, got = wanted[keep], allocated[keep]
    count = np.bincount(at, minlength=len(groups))
    need = np.zeros(len(groups), dtype=np.int64)
    np.add.at(need, at, wanted)
    units = np.zeros(len(groups), dtype=np.int64)
    np.add.at(units, at, got)
    # int64 -> float64 is exact for quantities, and IEEE division rounds correctly, as
    # Python's int / int does: the same ratios as got / wanted in Python.
    lowest = np.ones(len(groups), dtype=np.float64)
    np.minimum.at(lowest, at, got.astype(np.float64) / wanted.astype(np.float64))
    level = np.ones(len(groups), dtype=np.float64)
    np.minimum.at(level, at, fair[keep])
    at_zero = np.bincount(at[got == 0], minlength=len(groups))
    return tuple(
        GroupSummary(
            item=names[k // span],
            priority=k % span + low,
            needs=n,
            need=q,
            allocated=a,
            lowest_ratio=r,
            fair_level=f,
            needs_at_zero=z,
        )
        for k, n, q, a, r, f, z in zip(groups.tolist(), count.tolist(), need.tolist(),
                                       units.tolist(), lowest.tolist(), level.tolist(),
                                       at_zero.tolist(), strict=True)
    )
