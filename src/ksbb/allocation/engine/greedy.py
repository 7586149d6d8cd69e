"""A simple greedy baseline, for the benchmark only.

Needs are served in priority order (then recipient, item); each takes from the eligible
pledges nearest first (most shared code components, then pledge id) until it is covered.
No fairness and no look-ahead: what a careful person would do by hand.
"""

from __future__ import annotations

import time
from collections import defaultdict

from .plan import Plan
from .problem import Problem, code_parts
from .solve import _ancestors, _assemble

__all__ = ["greedy"]


def greedy(problem: Problem) -> Plan:
    started = time.perf_counter()
    left = {p.id: p.quantity for p in problem.pledges}
    # (item, restriction, shared prefix of the pledge area) -> pledge ids, id order. A pledge
    # sits in one bucket per prefix length of its own area, so looking up the need's prefix of
    # length s finds the pledges sharing at least s components.
    buckets: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for p in problem.pledges:
        if p.quantity <= 0:
            continue
        parts = code_parts(p.area)
        for s in range(len(parts) + 1):
            buckets[(p.item, p.restrict_to or "", ".".join(parts[:s]))].append(p.id)

    lines: dict[tuple[str, str, str], int] = defaultdict(int)
    allocated: dict[tuple[str, str], int] = defaultdict(int)
    for n in sorted(problem.needs, key=lambda n: (n.priority, n.recipient, n.item)):
        missing = n.quantity
        parts = code_parts(n.area)
        restrictions = _ancestors(n.area)
        for s in range(len(parts), -1, -1):
            if missing == 0:
                break
            prefix = ".".join(parts[:s])
            for r in restrictions:
                ids = buckets.get((n.item, r, prefix))
                if not ids:
                    continue
                pos = 0
                while pos < len(ids) and missing:
                    pid = ids[pos]
                    take = min(missing, left[pid])
                    if take:  # a pledge exhausted through another bucket is still listed here
                        left[pid] -= take
                        missing -= take
                        lines[(pid, n.recipient, n.item)] += take
                        allocated[(n.recipient, n.item)] += take
                    pos += 1
                # Drop exhausted pledges so later scans stay short.
                ids[:] = [pid for pid in ids[:pos] if left[pid]] + ids[pos:]
                if missing == 0:
                    break
    pledge_at = {p.id: k for k, p in enumerate(problem.pledges)}
    need_at = {(n.recipient, n.item): k for k, n in enumerate(problem.needs)}
    return _assemble(
        problem,
        [(pledge_at[pid], need_at[(r, i)], q) for (pid, r, i), q in lines.items()],
        [allocated.get((n.recipient, n.item), 0) for n in problem.needs],
        [0.0 if n.quantity else 1.0 for n in problem.needs],
        time.perf_counter() - started,
    )
