"""Stages 1 and 2 of the solver without LPs: lexicographic priority totals and exact max-min
fair levels on the restriction tree, in integer arithmetic.

Why a tree suffices. Which pledges can serve a need depends only on the pledges' restriction
areas (``restrict_to``), never on the pledges' own areas: a pledge restricted to R reaches
exactly the needs inside R. Restriction areas are nodes of the area tree (province > regency >
district > village > RW), so the sets of needs they reach are *laminar*: two of them are
nested or disjoint, whatever the pledges' own areas are (a pledge restricted to an area
outside its own is no exception). Supply therefore only ever flows down one tree: supply
node v (a restriction area, or the root '' for unrestricted pledges) may serve the classes
hanging anywhere below it, and a vector x of class amounts (0 <= x_c <= demand_c) can be
delivered if and only if (Hall's condition on a tree)

    h(U) = sum over u in U of (x at u - supply at u) <= 0    for every rooted subtree U,

i.e. every set U of nodes that contains the root and the parent of each of its members.

Priority totals (rule b). The units deliverable to a set of classes form a polymatroid; the
lexicographic maximum of the priority totals is reached by serving priorities 1..k together
as much as possible, for each k (the greedy theorem). On a tree that maximum is one
bottom-up pass: deficit(v) = max(0, demand at v + deficits of v's children - supply at v),
and what is served is the demand less the root's deficit.

Fair levels (rule c). The allocations meeting the priority totals form a face of that
polymatroid (rank function f, B_k the classes of priorities 1..k, all of them served up to
f(B_k)), and that face is the product of one polytope per priority: for any x on B_{k-1}
with x(B_{k-1}) = f(B_{k-1}), the vectors y that priority k can add are exactly those with
y(S) <= f(B_{k-1} + S) - f(B_{k-1}) for every set S of its classes. (Necessary: take all of
B_{k-1} with S. Sufficient: x(T) + y(S) <= f(T) + f(B_{k-1} + S) - f(B_{k-1}) <= f(T + S)
by submodularity, for every T in B_{k-1}.) So the levels of priority k do not depend on how
earlier priorities are served, as long as they are served as much as possible, nor on later
priorities, whose totals any such y leaves reachable. Priority k is therefore filled with
earlier priorities held at one integral maximal allocation (found by the same deficits)
and later priorities left out. Progressive filling then is water-filling on the tree: raise
every free class of the subtree rooted at r to lambda x its demand until a rooted subtree W
becomes tight. The level is

    lambda* = min(1, min over rooted W of (supply(W) - held(W)) / free demand(W)),

found exactly by Dinkelbach's method (each step is one bottom-up pass choosing the rooted
subtree of largest h, and the next lambda is that subtree's ratio; finitely many steps, in
practice two or three). The classes in the largest tight W are blocked at lambda* in every
solution; the rest hang below W in subtrees that no longer share supply with anything (W's
supply is used up exactly, and every rooted set that matters contains W), so each is solved
the same way on its own, at a higher level. A subtree is always strictly deeper than its
parent problem's root, so the recursion is at most as deep as the area tree (six levels),
and each level of it costs one pass over the nodes per Dinkelbach step.

All figures are integers: each lambda is a ratio of two integers (held amounts are
integral), and the units a frozen set receives, lambda* x demand(W) = supply(W) - held(W),
are whole. The levels are returned as exact fractions; the LP path in solve.py computes the
same levels in floating point (tests/allocation/engine/test_fair.py compares the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd

__all__ = ["TreeResult", "fair_levels"]


@dataclass
class TreeResult:
    totals: dict[int, int]  # priority -> units (lexicographic maximum)
    levels: list[Fraction]  # per class, in the order given


def _serve(
    order: Sequence[int], parent: Sequence[int], supply: Sequence[int], demand: Sequence[int]
) -> tuple[int, list[int]]:
    """Serve `demand` per node as much as the tree allows. Returns the units served and an
    integral amount per node achieving it.

    Bottom-up, the deficit of each subtree (what it needs from above); top-down, each node
    serves its own demand first from its supply and what it got from above, and hands the
    rest to its children up to their deficits. Any split of a node's pool between its own
    demand and its children's deficits serves the same total, so this one is a maximum."""
    n = len(supply)
    need = list(demand)  # demand at v plus the deficits of its children
    deficit = [0] * n
    for v in reversed(order):  # children before parents
        d = need[v] - supply[v]
        if d > 0:
            deficit[v] = d
            if parent[v] >= 0:
                need[parent[v]] += d
    served = [0] * n
    left = [0] * n  # what v has left for its children
    for v in order:  # parents before children
        pool = supply[v]
        p = parent[v]
        if p >= 0 and deficit[v]:
            give = min(deficit[v], left[p])
            left[p] -= give
            pool += give
        own = min(demand[v], pool)
        served[v] = own
        left[v] = pool - own
    return sum(served), served


def fair_levels(
    nodes_parent: Sequence[int],
    supply: Sequence[int],
    classes: Sequence[tuple[int, int, int]],
) -> TreeResult:
    """Priority totals and max-min fair levels.

    `nodes_parent[v]`: the parent of node v (-1 for a root), parents numbered before their
    children. `supply[v]`: units restricted to node v. `classes`: (node, priority, demand)
    with demand > 0, at most one class per node and priority."""
    n = len(supply)
    parent = list(nodes_parent)
    children: list[list[int]] = [[] for _ in range(n)]
    roots = []
    for v in range(n):
        if parent[v] < 0:
            roots.append(v)
        else:
            children[parent[v]].append(v)
    # Preorder and subtree ranges: the subtree of v is order[tin[v]:tout[v]].
    order: list[int] = []
    tin = [0] * n
    tout = [0] * n
    stack = list(reversed(roots))
    while stack:
        v = stack.pop()
        if v < 0:
            tout[~v] = len(order)
            continue
        tin[v] = len(order)
        order.append(v)
        stack.append(~v)
        stack.extend(reversed(children[v]))

    priorities = sorted({p for _, p, _ in classes})
    levels: list[Fraction] = [Fraction(0)] * len(classes)
    totals: dict[int, int] = {}
    cumulative = [0] * n  # demand of the priorities done so far, per node
    held = [0] * n  # an integral allocation serving them as much as possible
    served_before = 0
    for prio in priorities:
        free = [0] * n
        class_at: dict[int, int] = {}
        for k, (v, p, d) in enumerate(classes):
            if p == prio:
                free[v] += d
                class_at[v] = k
        for v in range(n):
            cumulative[v] += free[v]
        served, next_held = _serve(order, parent, supply, cumulative)
        totals[prio] = served - served_before
        given = _fill(order, parent, children, tin, tout, roots, supply, held, free,
                      class_at, levels)
        if given != totals[prio]:  # pragma: no cover - a bug, caught by the caller
            raise ArithmeticError(f"fair levels give {given} units, priority total "
                                  f"{totals[prio]}")
        served_before = served
        held = next_held
    return TreeResult(totals, levels)


def _fill(
    order: Sequence[int],
    parent: Sequence[int],
    children: Sequence[Sequence[int]],
    tin: Sequence[int],
    tout: Sequence[int],
    roots: Sequence[int],
    supply: Sequence[int],
    held: Sequence[int],
    free: Sequence[int],
    class_at: dict[int, int],
    levels: list[Fraction],
) -> int:
    """Water-filling of one priority (free demand per node) with `held` units already
    placed. Sets the levels of the priority's classes; returns the units they receive."""
    n = len(supply)
    base = [held[v] - supply[v] for v in range(n)]  # h at lambda = 0, per node
    val = [0] * n
    inside = [False] * n
    given = 0
    # Free demand per subtree, so that subtrees without any are skipped.
    below = list(free)
    for v in reversed(order):
        if parent[v] >= 0:
            below[parent[v]] += below[v]
    todo = [r for r in roots if below[r]]
    while todo:
        r = todo.pop()
        span = order[tin[r]:tout[r]]
        num, den = 1, 1  # lambda, starting at the cap
        while True:
            # h of the best rooted subtree at lambda = num/den, scaled by den.
            for v in span:
                val[v] = den * base[v] + num * free[v]
            for v in reversed(span):
                if v != r and val[v] > 0:
                    val[parent[v]] += val[v]
            best = val[r]
            if num == den and best <= 0:
                for v in span:
                    if free[v]:
                        levels[class_at[v]] = Fraction(1)
                        given += free[v]
                break
            # The largest maximiser: members are nodes reached through h >= 0.
            inside[r] = True
            s_w = -base[r]
            d_w = free[r]
            for v in span[1:]:
                inside[v] = inside[parent[v]] and val[v] >= 0
                if inside[v]:
                    s_w -= base[v]
                    d_w += free[v]
            if best == 0:
                lam = Fraction(num, den)
                for v in span:
                    if inside[v]:
                        if free[v]:
                            levels[class_at[v]] = lam
                    elif inside[parent[v]] and below[v]:
                        todo.append(v)
                given += s_w  # lambda x free demand of W: W's supply less what it holds
                break
            # best > 0: lambda is too high; W's own ratio is the next guess (Dinkelbach).
            g = gcd(s_w, d_w)
            num, den = s_w // g, d_w // g
        for v in span:
            inside[v] = False
    return given
