"""The benchmark's yardstick: one plain min-cost LP of an allocation problem, with HiGHS.

Per item: supply to needs on the area tree, restrictions respected, no priorities and no
fairness: deliver as much as possible at least locality cost (cost per unit 5 - shared code
components, as in the engine; delivery worth 6 per unit, so delivering always pays), one LP.
Duplicate areas collapse: supply is summed per (area, restriction) and demand per area.

Two uses (bench/allocation.py):

* ``plain_lp(data)`` in the benchmark's own process, on the already decoded problem: only
  building and solving the LPs is timed (no process start, no imports, no JSON);
* as a whole command, like ``ksbb allocate``, in a fresh process:

      PYTHONPATH=bench python -m allocation_plain --input problem.json --output flows.json

  starts Python, imports numpy/highspy/orjson, reads the same JSON, builds and solves the
  same LPs, and writes the flows (per item: units delivered per need area, units taken per
  supply group) as JSON.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import defaultdict
from typing import Any

import highspy
import numpy as np
import orjson


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:k]) for k in range(len(parts), 0, -1)] + [""]


def _inside(code: str, area: str) -> bool:
    return area == "" or code == area or code.startswith(area + ".")


def plain_lp(data: dict[str, Any], *, flows: bool = False) -> tuple[float, float, dict[str, Any]]:
    """Solve, item by item, max delivered then min locality cost as one LP. Returns (seconds,
    delivered units, flows per item if `flows`, else {})."""
    started = time.perf_counter()
    pledges: dict[str, list[dict[str, Any]]] = defaultdict(list)
    needs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in data["pledges"]:
        if p["quantity"] > 0:
            pledges[p["item"]].append(p)
    for n in data["needs"]:
        if n["quantity"] > 0:
            needs[n["item"]].append(n)
    delivered = 0.0
    result: dict[str, Any] = {}
    for item in sorted(needs):
        if not pledges[item]:
            continue
        supply: dict[tuple[str, str], int] = defaultdict(int)
        for p in pledges[item]:
            supply[(p["area"], p.get("restrict_to") or "")] += p["quantity"]
        demand: dict[str, int] = defaultdict(int)
        for n in needs[item]:
            demand[n["area"]] += n["quantity"]
        # Nodes: up (layer, area) chains climbing at 1 per level; down tree of all areas.
        up: dict[tuple[str, str], int] = {}
        down: dict[str, int] = {}
        rows = 0
        cols: list[tuple[int, int, float, float]] = []  # tail row, head row, cost, upper
        taken: list[tuple[int, tuple[str, str]]] = []  # supply column, its group
        for area in demand:
            for a in _ancestors(area):
                if a in down:
                    break
                down[a] = rows
                rows += 1
        for a, r in down.items():
            if a:
                parent = a.rsplit(".", 1)[0] if "." in a else ""
                cols.append((down[parent], r, 0.0, np.inf))
        for (area, layer), qty in supply.items():
            if not _inside(area, layer):
                if layer in down:
                    shared = 0
                    for x, y in zip(area.split("."), layer.split("."), strict=False):
                        if x != y:
                            break
                        shared += 1
                    taken.append((len(cols), (area, layer)))
                    cols.append((-1, down[layer], 5.0 - shared, float(qty)))
                continue
            chain = []
            for a in _ancestors(area):
                chain.append(a)
                if a == layer:
                    break
            prev = -1
            for a in chain:
                key = (layer, a)
                new = key not in up
                if new:
                    up[key] = rows
                    rows += 1
                if prev < 0:
                    taken.append((len(cols), (area, layer)))
                    cols.append((-1, up[key], 5.0 - (a.count(".") + 1 if a else 0), float(qty)))
                else:
                    cols.append((prev, up[key], 1.0, np.inf))
                if new and a in down:
                    cols.append((up[key], down[a], 0.0, np.inf))
                if not new:
                    break
                prev = up[key]
        first_need = len(cols)
        for a, qty in demand.items():
            cols.append((down[a], -1, -6.0, float(qty)))
        lp = highspy.HighsLp()
        lp.num_col_ = len(cols)
        lp.num_row_ = rows
        lp.col_cost_ = np.array([c[2] for c in cols])
        lp.col_lower_ = np.zeros(len(cols))
        lp.col_upper_ = np.array([c[3] for c in cols])
        lp.row_lower_ = np.zeros(rows)
        lp.row_upper_ = np.zeros(rows)
        index: list[int] = []
        value: list[float] = []
        start = [0]
        for tail, head, _, _ in cols:
            if tail >= 0:
                index.append(tail)
                value.append(-1.0)
            if head >= 0:
                index.append(head)
                value.append(1.0)
            start.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(start, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.passModel(lp)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"plain LP: {h.modelStatusToString(h.getModelStatus())}")
        values = np.asarray(h.getSolution().col_value)
        delivered += sum(values[k] for k, c in enumerate(cols) if c[1] == -1)
        if flows:
            units = np.rint(values).astype(np.int64).tolist()
            result[item] = {
                "delivered": {a: units[first_need + k]
                              for k, a in enumerate(demand) if units[first_need + k]},
                "taken": [[area, layer, units[k]] for k, (area, layer) in taken if units[k]],
            }
    return time.perf_counter() - started, delivered, result


def main() -> None:
    # As in `ksbb allocate`: no cyclic GC passes in a short-lived process.
    gc.disable()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    with open(args.input, "rb") as f:
        data = orjson.loads(f.read())
    cpu = time.process_time()
    seconds, delivered, flows = plain_lp(data, flows=True)
    cpu = time.process_time() - cpu
    with open(args.output, "wb") as f:
        f.write(orjson.dumps({"delivered": round(delivered), "items": flows}))
    # The LP alone (build and solve, from the decoded problem): the benchmark's `LP` columns.
    sys.stdout.write(orjson.dumps({"lp_seconds": seconds, "lp_cpu": cpu}).decode() + "\n")


if __name__ == "__main__":
    main()
