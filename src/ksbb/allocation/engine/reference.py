"""An independent check of a plan against rules (a)-(d), for tests and the benchmark.

Written apart from the solver and on purpose in other formulations: the engine works on the
area tree (supply climbs and descends; its fair levels by water-filling on the restriction
tree, without LPs), this works on bipartite pairs, with LPs only (one HiGHS model per item,
changed in place between solves so that each starts from the previous basis).

* (a) checked directly: whole units, a pledge's item, restriction and quantity respected,
  no need over its quantity.
* (b) priority totals: lexicographic maximum on the pairs (supply node x reach class), where
  a reach class is the needs of one priority reached by the same set of restrictions.
* (c) max-min fair levels by progressive filling; a class is blocked at level t only if an
  LP that raises it alone cannot (the property test's method), shortened by witnesses: a
  class above t in any solution found on the way is not blocked. Every need must get
  floor..ceil of its fair share, and at least floor(t* x quantity).
* (d) the least locality cost within those bounds, on pairs (pledge area and restriction) x
  (need area and priority), compared with the plan's cost. Optional: it grows with the
  product of distinct pledge and need areas.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix, hstack, vstack

__all__ = ["ROUNDING_TOL", "RuleViolation", "check_plan"]

# Fair shares are rationals found up to LP round-off (about 1e-9 relative here); whole-unit
# bounds are taken this far from the integers. Not more: with class demands in the tens of
# thousands a share can truly be 6.99994 (4283/31205 of 51), whose floor is 6.
ROUNDING_TOL = 1e-6


class RuleViolation(AssertionError):
    pass


def _inside(area: str, restrict_to: str | None) -> bool:
    return not restrict_to or area == restrict_to or area.startswith(restrict_to + ".")


def _shared(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass
class _Pairs:
    """Bipartite LP: columns are (row set a, row set b) pairs with x >= 0; rows are grouped
    as 'supply' (<= cap) and 'demand' (sum per demand node)."""

    n_supply: int
    n_demand: int
    pairs: list[tuple[int, int]]
    a_supply: csr_matrix = field(init=False)
    a_demand: csr_matrix = field(init=False)

    def __post_init__(self) -> None:
        m = len(self.pairs)
        cols = np.arange(m)
        s = np.array([p[0] for p in self.pairs], dtype=np.int64)
        d = np.array([p[1] for p in self.pairs], dtype=np.int64)
        ones = np.ones(m)
        self.a_supply = coo_matrix((ones, (s, cols)), shape=(self.n_supply, m)).tocsr()
        self.a_demand = coo_matrix((ones, (d, cols)), shape=(self.n_demand, m)).tocsr()


class _Highs:
    """One LP (minimise cost . x) in HiGHS, changed in place between solves."""

    def __init__(self, a: Any, col_lower: np.ndarray, col_upper: np.ndarray,
                 row_lower: np.ndarray, row_upper: np.ndarray,
                 cost: np.ndarray | None = None) -> None:
        a = csc_matrix(a)
        lp = highspy.HighsLp()
        lp.num_col_ = a.shape[1]
        lp.num_row_ = a.shape[0]
        lp.col_cost_ = np.zeros(a.shape[1]) if cost is None else cost.astype(np.float64)
        lp.col_lower_ = col_lower.astype(np.float64)
        lp.col_upper_ = col_upper.astype(np.float64)
        lp.row_lower_ = row_lower.astype(np.float64)
        lp.row_upper_ = row_upper.astype(np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(np.float64)
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)
        # Presolve costs more than it saves on these transportation LPs (measured: the
        # least-cost LP of a medium problem takes 40% less time without it).
        self.h.setOptionValue("presolve", "off")
        self.h.passModel(lp)
        self.n = a.shape[1]
        self.all_cols = np.arange(self.n, dtype=np.int32)

    def cost(self, c: np.ndarray) -> None:
        self.h.changeColsCost(self.n, self.all_cols, c.astype(np.float64))

    def rows(self, rows: Sequence[int] | np.ndarray, lower: np.ndarray,
             upper: np.ndarray) -> None:
        idx = np.asarray(rows, dtype=np.int32)
        if len(idx):
            self.h.changeRowsBounds(len(idx), idx, np.asarray(lower, np.float64),  # type: ignore[attr-defined]
                                    np.asarray(upper, np.float64))

    def col(self, k: int, lower: float, upper: float) -> None:
        self.h.changeColBounds(k, lower, upper)

    def solve(self) -> tuple[np.ndarray, float]:
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuleViolation("reference LP failed: "
                                + self.h.modelStatusToString(self.h.getModelStatus()))
        return (np.asarray(self.h.getSolution().col_value),
                float(self.h.getInfo().objective_function_value))


class _Item:
    """Reference for one item."""

    def __init__(self, pledges: list[Mapping[str, Any]], needs: list[Mapping[str, Any]]):
        self.pledges = [p for p in pledges if p["quantity"] > 0]
        self.needs = needs
        nodes = sorted({p.get("restrict_to") or "" for p in self.pledges})
        supply: dict[str, int] = defaultdict(int)
        for p in self.pledges:
            supply[p.get("restrict_to") or ""] += p["quantity"]
        self.nodes = nodes
        self.supply = np.array([supply[r] for r in nodes], float)
        classes: dict[tuple[tuple[int, ...], int], list[int]] = defaultdict(list)
        node_at = {r: k for k, r in enumerate(nodes)}
        reach_of: dict[str, tuple[int, ...]] = {}
        for j, n in enumerate(needs):
            if n["quantity"] <= 0:
                continue
            area = n["area"]
            reach = reach_of.get(area)
            if reach is None:
                # The restrictions containing the area: its prefixes (and '' for none).
                parts = area.split(".")
                prefixes = ["", *(".".join(parts[:d]) for d in range(1, len(parts) + 1))]
                reach = reach_of[area] = tuple(sorted(node_at[r] for r in prefixes
                                                      if r in node_at))
            if reach:
                classes[(reach, n["priority"])].append(j)
        self.class_keys = sorted(classes)
        self.class_needs = [classes[k] for k in self.class_keys]
        self.demand = np.array(
            [sum(needs[j]["quantity"] for j in js) for js in self.class_needs], float
        )
        self.prio = np.array([k[1] for k in self.class_keys])
        pairs = [(r, c) for c, (reach, _) in enumerate(self.class_keys) for r in reach]
        self.net = _Pairs(len(nodes), len(self.class_keys), pairs)

    def solve(self, full: bool = True) -> tuple[dict[int, int], np.ndarray]:
        """Lexicographic totals per priority and the fair level per class (with `full`
        False, only the lowest level t* of each priority, given to every class).

        Columns: y per pair, then t. Rows: supply per node (<= supply); x_c = A_demand y per
        class (lower bound: 0, or the frozen level; upper: demand); x_c - demand_c t >= 0 per
        class (active only while c is free); the total per priority (fixed once found)."""
        m = len(self.net.pairs)
        k = len(self.class_keys)
        if not k:
            return {}, np.zeros(0)
        a_x = self.net.a_demand  # k x m
        prios = sorted(set(self.prio.tolist()))
        p_index = {p: i for i, p in enumerate(prios)}
        a_prio = csr_matrix(
            (np.ones(k), (np.array([p_index[p] for p in self.prio.tolist()]), np.arange(k))),
            shape=(len(prios), k),
        ) @ a_x
        n_s = self.net.n_supply
        zero = csr_matrix((n_s, 1))
        a = vstack([
            hstack([self.net.a_supply, zero]),
            hstack([a_x, csr_matrix((k, 1))]),
            hstack([a_x, csr_matrix(-self.demand.reshape(-1, 1))]),
            hstack([a_prio, csr_matrix((len(prios), 1))]),
        ])
        class_row = n_s + np.arange(k)
        fair_row = n_s + k + np.arange(k)
        prio_row = n_s + 2 * k + np.arange(len(prios))
        inf = np.inf
        lp = _Highs(
            a,
            np.zeros(m + 1),
            np.concatenate([np.full(m, inf), [0.0]]),  # t fixed at 0 for the totals
            np.concatenate([np.full(n_s, -inf), np.zeros(k), np.full(k, -inf),
                            np.full(len(prios), -inf)]),
            np.concatenate([self.supply, self.demand, np.full(k, inf), np.full(len(prios), inf)]),
        )
        totals: dict[int, int] = {}
        for p in prios:
            lp.cost(-np.concatenate([np.asarray(a_prio[p_index[p]].todense()).ravel(), [0.0]]))
            _, obj = lp.solve()
            totals[p] = round(-obj)
            lp.rows([prio_row[p_index[p]]], np.array([float(totals[p])]),
                    np.array([float(totals[p])]))

        level = np.full(k, -1.0)
        # Frozen classes keep their level up to this slack. With blocking tests, an absolute
        # one: a slack proportional to the demand releases enough units on big problems to
        # raise a blocked class past the test's threshold. Without them (t* only), one the
        # LP tolerance can meet on thousands of classes at once.
        eps = np.full(k, 1e-9) if full else 1e-7 * np.maximum(1.0, self.demand)
        rise = np.zeros(m + 1)
        rise[-1] = -1.0  # maximise t

        def freeze(idx: list[int], t: float) -> None:
            level[idx] = t
            lp.rows(class_row[idx], t * self.demand[idx] - eps[idx], self.demand[idx])
            lp.rows(fair_row[idx], np.full(len(idx), -inf), np.full(len(idx), inf))

        for p in prios:
            free = [c for c in range(k) if self.prio[c] == p]
            lp.rows(fair_row[free], np.zeros(len(free)), np.full(len(free), inf))
            while free:
                lp.cost(rise)
                lp.col(m, -inf, inf)
                y, _ = lp.solve()
                t = min(1.0, float(y[-1]))
                if t >= 1.0 - 1e-9:
                    freeze(free, 1.0)
                    break
                if not full:  # only t*, the lowest level, which everyone reaches
                    freeze(free, t)
                    break
                # Witnesses: any solution keeping every free class at t or more that has
                # class c above t shows that c is not blocked.
                slack = 1e-6 * np.maximum(1.0, self.demand)
                x = a_x @ y[:m]
                unblocked = {c for c in free if x[c] > t * self.demand[c] + slack[c]}
                # Blocking tests: t held, every free class at t or more, raise c alone.
                lp.col(m, 0.0, 0.0)
                lp.rows(fair_row[free], np.full(len(free), -inf), np.full(len(free), inf))
                lp.rows(class_row[free], t * self.demand[free] - eps[free], self.demand[free])
                blocked = []
                for c in free:
                    if c in unblocked:
                        continue
                    cost = np.zeros(m + 1)
                    cost[:m] = -a_x[c].toarray().ravel()
                    lp.cost(cost)
                    sol, obj = lp.solve()
                    if -obj <= t * self.demand[c] + max(1e-4, slack[c]):
                        blocked.append(c)
                    x = a_x @ sol[:m]
                    unblocked |= {o for o in free if x[o] > t * self.demand[o] + slack[o]}
                if not blocked:
                    raise RuleViolation("reference: no class blocked at the lowest level")
                freeze(blocked, t)
                done = set(blocked)
                free = [c for c in free if c not in done]
                # The others rise again from 0 with t.
                lp.rows(class_row[free], np.zeros(len(free)), self.demand[free])
                lp.rows(fair_row[free], np.zeros(len(free)), np.full(len(free), inf))
        return totals, level


def check_plan(
    problem: Mapping[str, Any],
    plan: Mapping[str, Any],
    *,
    fairness: bool = True,
    cost: bool = True,
) -> dict[str, Any]:
    """Check `plan` (the engine's JSON form) against `problem` (its input). Raises
    RuleViolation naming the first broken rule; returns a few figures otherwise.

    With `fairness` False only the floor guarantee of (c) is checked (x >= floor(t* q), t*
    the lowest level of the item and priority), and (d) is skipped: that is what stays
    affordable at national size."""
    pledges = {p["id"]: p for p in problem["pledges"]}
    needs = {(n["recipient"], n["item"]): n for n in problem["needs"]}
    used: dict[str, int] = defaultdict(int)
    got: dict[tuple[str, str], int] = defaultdict(int)
    plan_cost: dict[str, int] = defaultdict(int)
    for a in plan["allocations"]:  # rule (a)
        p, n = pledges[a["pledge"]], needs[(a["recipient"], a["item"])]
        q = a["quantity"]
        if type(q) is not int or q <= 0 or not p["item"] == n["item"] == a["item"]:
            raise RuleViolation(f"(a) bad line {a}")
        if not _inside(n["area"], p.get("restrict_to")):
            raise RuleViolation(f"(a) pledge {p['id']} sent outside its restriction")
        if a["cost"] != 5 - _shared(p["area"], n["area"]):
            raise RuleViolation(f"(d) wrong cost on line {a}")
        used[p["id"]] += q
        got[(n["recipient"], n["item"])] += q
        plan_cost[n["item"]] += a["cost"] * q
    for pid, v in used.items():
        if v > pledges[pid]["quantity"]:
            raise RuleViolation(f"(a) pledge {pid} over its quantity")
    for key, v in got.items():
        if v > needs[key]["quantity"]:
            raise RuleViolation(f"(a) need {key} over its quantity")

    by_item_p: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    by_item_n: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for p in problem["pledges"]:
        by_item_p[p["item"]].append(p)
    for n in problem["needs"]:
        by_item_n[n["item"]].append(n)
    figures: dict[str, Any] = {
        "items": 0, "classes": 0, "fairness_checked": fairness, "cost_checked": cost and fairness
    }
    for item in sorted(by_item_n):
        item_needs = by_item_n[item]
        ref = _Item(by_item_p.get(item, []), item_needs)
        totals, level = ref.solve(full=fairness)
        figures["items"] += 1
        figures["classes"] += len(ref.class_keys)
        share = [0.0] * len(item_needs)
        for c, js in enumerate(ref.class_needs):
            for j in js:
                share[j] = float(level[c])
        x = [got.get((n["recipient"], item), 0) for n in item_needs]
        for prio, total in totals.items():  # rule (b)
            have = sum(x[j] for j, n in enumerate(item_needs) if n["priority"] == prio)
            if have != total:
                raise RuleViolation(f"(b) {item} priority {prio}: {have} != {total}")
        if not totals and any(x):
            raise RuleViolation(f"(b) {item}: units given where none can reach")
        lowest: dict[int, float] = {}
        for j, n in enumerate(item_needs):
            if n["quantity"] > 0:
                lowest[n["priority"]] = min(lowest.get(n["priority"], 1.0), share[j])
        bounds = []
        for j, n in enumerate(item_needs):  # rule (c)
            v = share[j] * n["quantity"]
            lo, hi = math.floor(v + ROUNDING_TOL), math.ceil(v - ROUNDING_TOL)
            floor_t = math.floor(lowest.get(n["priority"], 0.0) * n["quantity"] + ROUNDING_TOL)
            if x[j] < floor_t or (fairness and not lo <= x[j] <= hi):
                raise RuleViolation(
                    f"(c) {item} need {n['recipient']}: got {x[j]}, fair share {v:.6f}"
                )
            bounds.append((lo, hi))
        if cost and fairness:  # rule (d)
            best = _least_cost(by_item_p.get(item, []), item_needs, bounds, totals)
            if plan_cost[item] != round(best):
                raise RuleViolation(f"(d) {item}: cost {plan_cost[item]} != least {best:.3f}")
    return figures


def _least_cost(
    pledges: list[Mapping[str, Any]],
    needs: list[Mapping[str, Any]],
    bounds: list[tuple[int, int]],
    totals: dict[int, int],
) -> float:
    """The least locality cost on pairs (pledge area and restriction) x (need area and
    priority), within the need bounds summed per pair end, meeting the priority totals."""
    supply: dict[tuple[str, str], int] = defaultdict(int)
    for p in pledges:
        if p["quantity"] > 0:
            supply[(p["area"], p.get("restrict_to") or "")] += p["quantity"]
    lo: dict[tuple[str, int], int] = defaultdict(int)
    hi: dict[tuple[str, int], int] = defaultdict(int)
    for n, (a, b) in zip(needs, bounds, strict=True):
        if n["quantity"] > 0:
            lo[(n["area"], n["priority"])] += a
            hi[(n["area"], n["priority"])] += b
    g_keys = sorted(supply)
    h_keys = sorted(k for k in hi if hi[k] > 0)
    if not h_keys or not g_keys:
        return 0.0
    # Area codes as ids of their prefixes at depths 1..5 (-1 / -2 where shorter, so that a
    # missing component never matches): shared components and "inside" become comparisons.
    ids: dict[str, int] = {"": 0}

    def prefixes(areas: list[str], missing: int) -> np.ndarray:
        out = np.full((6, len(areas)), missing, dtype=np.int64)
        for j, area in enumerate(areas):
            out[0, j] = 0
            parts = area.split(".")
            for d in range(1, len(parts) + 1):
                out[d, j] = ids.setdefault(".".join(parts[:d]), len(ids))
        return out

    pg = prefixes([a for a, _ in g_keys], -1)
    ph = prefixes([a for a, _ in h_keys], -2)
    shared = np.zeros((len(g_keys), len(h_keys)), dtype=np.int64)
    for d in range(1, 6):
        shared += pg[d][:, None] == ph[d][None, :]
    allowed = np.zeros_like(shared, dtype=bool)
    for g, (_, r) in enumerate(g_keys):
        depth = len(r.split(".")) if r else 0
        allowed[g] = ph[depth] == ids[r] if r in ids else False
    gi, hj = np.nonzero(allowed)
    m = len(gi)
    prios = sorted({p for _, p in h_keys})
    p_of = np.array([prios.index(p) for _, p in h_keys], dtype=np.int64)
    n_g, n_h = len(g_keys), len(h_keys)
    rows = np.stack([gi, n_g + hj, n_g + n_h + p_of[hj]], axis=1).ravel()
    a = csc_matrix((np.ones(3 * m), rows, np.arange(0, 3 * m + 1, 3)),
                   shape=(n_g + n_h + len(prios), m))
    prio_totals = np.array([float(totals.get(p, 0)) for p in prios])
    lp = _Highs(
        a,
        np.zeros(m),
        np.full(m, np.inf),
        np.concatenate([np.full(n_g, -np.inf), [float(lo[k]) for k in h_keys], prio_totals]),
        np.concatenate([[float(supply[k]) for k in g_keys], [float(hi[k]) for k in h_keys],
                        prio_totals]),
        cost=(5 - shared[gi, hj]).astype(np.float64),
    )
    _, obj = lp.solve()
    return obj
