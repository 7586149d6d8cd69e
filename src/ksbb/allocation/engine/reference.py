"""An independent check of a plan against rules (a)-(d), for tests and the benchmark.

Written apart from the solver and on purpose in other formulations: the engine works on the
area tree (supply climbs and descends), this works on bipartite pairs (scipy's `linprog`;
the blocking tests on one HiGHS model whose objective changes).

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
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack

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


def _lp(
    c: np.ndarray,
    a_ub: Sequence[Any],
    b_ub: Sequence[np.ndarray],
    a_eq: Sequence[Any],
    b_eq: Sequence[np.ndarray],
    bounds: Any,
) -> Any:
    res = linprog(
        c,
        A_ub=vstack(a_ub).tocsr() if a_ub else None,
        b_ub=np.concatenate(b_ub) if b_ub else None,
        A_eq=vstack(a_eq).tocsr() if a_eq else None,
        b_eq=np.concatenate(b_eq) if b_eq else None,
        bounds=bounds,
        method="highs",
    )
    if res.status != 0:
        raise RuleViolation(f"reference LP failed: {res.message}")
    return res


class _Model:
    """One LP with fixed constraints solved for several objectives (min c.x), hot-started
    from the previous basis: the blocking tests of progressive filling differ only in
    their objective."""

    def __init__(self, a_ub: Sequence[Any], b_ub: Sequence[np.ndarray], a_eq: Sequence[Any],
                 b_eq: Sequence[np.ndarray], lower: np.ndarray, upper: np.ndarray) -> None:
        a = vstack([*a_ub, *a_eq]).tocsc()
        ub = np.concatenate(b_ub) if b_ub else np.zeros(0)
        eq = np.concatenate(b_eq) if b_eq else np.zeros(0)
        lp = highspy.HighsLp()
        lp.num_col_ = a.shape[1]
        lp.num_row_ = a.shape[0]
        lp.col_cost_ = np.zeros(a.shape[1])
        lp.col_lower_ = lower
        lp.col_upper_ = upper
        lp.row_lower_ = np.concatenate([np.full(len(ub), -np.inf), eq])
        lp.row_upper_ = np.concatenate([ub, eq])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(np.float64)
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)
        self.h.passModel(lp)
        self.n = a.shape[1]

    def solve(self, c: np.ndarray) -> tuple[np.ndarray, float]:
        self.h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), c.astype(np.float64))
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuleViolation("reference LP failed: "
                                + self.h.modelStatusToString(self.h.getModelStatus()))
        x = np.asarray(self.h.getSolution().col_value)
        return x, float(c @ x)


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

    # x_c = A_demand y; constraints in y (plus optional trailing t column)

    def solve(self, full: bool = True) -> tuple[dict[int, int], np.ndarray]:
        """Lexicographic totals per priority and the fair level per class (with `full`
        False, only the lowest level t* of each priority, given to every class)."""
        m = len(self.net.pairs)
        k = len(self.class_keys)
        if not k:
            return {}, np.zeros(0)
        a_x = self.net.a_demand  # k x m
        a_ub = [self.net.a_supply, a_x]
        b_ub = [self.supply, self.demand]
        prios = sorted(set(self.prio.tolist()))
        a_eq: list[Any] = []
        b_eq: list[np.ndarray] = []
        totals: dict[int, int] = {}
        for p in prios:
            row = csr_matrix((self.prio == p).astype(float)) @ a_x
            res = _lp(-np.asarray(row.todense()).ravel(), a_ub, b_ub, a_eq, b_eq, (0, None))
            totals[p] = round(-res.fun)
            a_eq.append(row)
            b_eq.append(np.array([float(totals[p])]))

        level = np.full(k, -1.0)
        a_eq_t = [hstack([r, csr_matrix((1, 1))]) for r in a_eq]
        base_ub = [hstack([self.net.a_supply, csr_matrix((self.net.n_supply, 1))]),
                   hstack([a_x, csr_matrix((k, 1))])]
        # Frozen classes keep their level up to this slack. With blocking tests, an absolute
        # one: a slack proportional to the demand releases enough units on big problems to
        # raise a blocked class past the test's threshold. Without them (t* only), one the
        # LP tolerance can meet on thousands of classes at once.
        eps = np.full(k, 1e-9) if full else 1e-7 * np.maximum(1.0, self.demand)

        def at_least(idx: list[int], floor: np.ndarray, t_coef: bool) -> tuple[Any, np.ndarray]:
            """-x_c (+ d_c t) <= -floor_c for the classes idx."""
            col = self.demand[idx] if t_coef else np.zeros(len(idx))
            a = hstack([-a_x[idx], csr_matrix(col.reshape(-1, 1))])
            return a, -floor

        for p in prios:
            free = [c for c in range(k) if self.prio[c] == p]
            while free:
                frozen = [c for c in range(k) if level[c] >= 0]
                a1, b1 = at_least(free, np.zeros(len(free)), True)
                a2, b2 = at_least(frozen, level[frozen] * self.demand[frozen] - eps[frozen],
                                  False)
                cost = np.zeros(m + 1)
                cost[-1] = -1.0
                res = _lp(cost, [*base_ub, a1, a2], [self.supply, self.demand, b1, b2],
                          a_eq_t, b_eq, [(0, None)] * m + [(None, None)])
                t = min(1.0, float(res.x[-1]))
                if t >= 1.0 - 1e-9:
                    level[free] = 1.0
                    break
                if not full:  # only t*, the lowest level, which everyone reaches
                    level[free] = t
                    break
                # Witnesses: any solution keeping every free class at t or more that has
                # class c above t shows that c is not blocked.
                slack = 1e-6 * np.maximum(1.0, self.demand)
                x = a_x @ res.x[:m]
                unblocked = {c for c in free if x[c] > t * self.demand[c] + slack[c]}
                a1, b1 = at_least(free, t * self.demand[free] - eps[free], False)
                blocked = []
                model: _Model | None = None
                for c in free:
                    if c in unblocked:
                        continue
                    if model is None:
                        lower = np.zeros(m + 1)
                        upper = np.full(m + 1, np.inf)
                        upper[-1] = 0.0
                        model = _Model([*base_ub, a1, a2], [self.supply, self.demand, b1, b2],
                                       a_eq_t, b_eq, lower, upper)
                    cost = np.zeros(m + 1)
                    cost[:m] = -a_x[c].toarray().ravel()
                    sol, obj = model.solve(cost)
                    if -obj <= t * self.demand[c] + max(1e-4, slack[c]):
                        blocked.append(c)
                    x = a_x @ sol[:m]
                    unblocked |= {o for o in free if x[o] > t * self.demand[o] + slack[o]}
                if not blocked:
                    raise RuleViolation("reference: no class blocked at the lowest level")
                level[blocked] = t
                done = set(blocked)
                free = [c for c in free if c not in done]
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
    if not h_keys:
        return 0.0
    pairs = [
        (gi, hj)
        for gi, (_, r) in enumerate(g_keys)
        for hj, (area, _) in enumerate(h_keys)
        if _inside(area, r)
    ]
    net = _Pairs(len(g_keys), len(h_keys), pairs)
    c = np.array([5 - _shared(g_keys[g][0], h_keys[h][0]) for g, h in pairs], float)
    prios = sorted({p for _, p in h_keys})
    prio_of = np.array([p for _, p in h_keys])
    a_eq = [csr_matrix((prio_of == p).astype(float)) @ net.a_demand for p in prios]
    b_eq = [np.array([float(totals.get(p, 0))]) for p in prios]
    res = _lp(
        c,
        [net.a_supply, net.a_demand, -net.a_demand],
        [
            np.array([supply[k] for k in g_keys], float),
            np.array([hi[k] for k in h_keys], float),
            -np.array([lo[k] for k in h_keys], float),
        ],
        a_eq,
        b_eq,
        (0, None),
    )
    return float(res.fun)
