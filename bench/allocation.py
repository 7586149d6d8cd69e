"""Benchmark of the allocation engine: every problem family at Jakarta and national size.

    .venv/bin/python bench/allocation.py [--size jakarta|national|both] [--families a,b]
                                         [--check auto|full|floor|none] [--workers N]

For each family (ksbb.allocation.engine.families) it generates a problem, runs the whole
`ksbb allocate` command on it as a separate process (start-up, JSON in, solve, JSON out) and
reports: status, wall and CPU seconds (user + sys, workers included), peak memory (largest
process, from wait4), the rule checks of
the independent reference (ksbb.allocation.engine.reference) and, as a yardstick, one plain
min-cost LP of the same problem with HiGHS (supply to needs on the area tree, restrictions
respected, no priorities and no fairness: deliver as much as possible at least cost), built
and solved in this process; `ratio` is the whole command's wall time divided by the LP's,
`cpu r` the same with CPU seconds (steadier when the machine is shared).

Checks: `full` is (a)-(d) with full progressive filling and the pairwise cost LP, affordable
up to a few thousand need lines; `floor` is (a), (b) and the floor guarantee of (c); `auto`
(the default) takes `floor` at these sizes. The machine is shared: the load average is
printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ksbb.allocation.engine.families import FAMILIES, generate, real_villages  # noqa: E402
from ksbb.allocation.engine.reference import RuleViolation, check_plan  # noqa: E402

REGRESSION = ROOT / "tests/allocation/engine/data/national-sembako-infeasible.json.gz"


def problem_for(size: str, family: str, seed: int = 1) -> dict[str, Any]:
    if size == "jakarta":  # 267 villages x 10 RWs, ~3,700 recipients, 2,000 pledges
        return generate(family, seed, real_villages("31"), recipients=3700, pledges=2000,
                        items=4, rws=10)
    villages = real_villages()  # 83,762 villages, one recipient each on average
    return generate(family, seed, villages, recipients=len(villages), pledges=50_000, items=4,
                    rws=0)


# ---------------------------------------------------------------------------------------------
# The yardstick: one plain min-cost LP on the area tree


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:k]) for k in range(len(parts), 0, -1)] + [""]


def _inside(code: str, area: str) -> bool:
    return area == "" or code == area or code.startswith(area + ".")


def plain_lp(data: dict[str, Any]) -> tuple[float, float]:
    """Solve, item by item, max delivered then min locality cost as one LP (cost per unit
    5 - shared components, delivery worth 6 per unit). Returns (seconds, delivered units)."""
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
                    cols.append((-1, up[key], 5.0 - (a.count(".") + 1 if a else 0), float(qty)))
                else:
                    cols.append((prev, up[key], 1.0, np.inf))
                if new and a in down:
                    cols.append((up[key], down[a], 0.0, np.inf))
                if not new:
                    break
                prev = up[key]
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
    return time.perf_counter() - started, delivered


# ---------------------------------------------------------------------------------------------


def run_command(problem_path: str, plan_path: str, workers: int | None) -> dict[str, Any]:
    """The whole `ksbb allocate` command, as a script would run it."""
    cmd = [sys.executable, "-m", "ksbb.cli", "allocate", "--input", problem_path, "--output",
           plan_path]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "code": code, "out": out, "err": err}


def bench_one(label: str, data: dict[str, Any], check: str, workers: int | None) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "problem.json")
        dst = os.path.join(tmp, "plan.json")
        Path(src).write_bytes(orjson.dumps(data))
        fig = run_command(src, dst, workers)
        plan = orjson.loads(Path(dst).read_bytes()) if fig["code"] == 0 else None
    status = "ok" if fig["code"] == 0 else f"FAILED ({fig['code']}: {fig['err'][-200:]})"
    rules = "-"
    if plan is not None:
        if plan["summary"]["fallback"]:
            status = "fallback " + ",".join(plan["summary"]["fallback"])
        if check != "none":
            t0 = time.perf_counter()
            try:
                check_plan(data, plan, fairness=check == "full", cost=check == "full")
                rules = ("a-d ok" if check == "full" else "a,b,c-floor ok") + (
                    f" ({time.perf_counter() - t0:.0f} s)")
            except RuleViolation as exc:
                rules = f"VIOLATION {exc}"[:80]
    cpu0 = time.process_time()
    lp_seconds, _ = plain_lp(data)
    lp_cpu = time.process_time() - cpu0
    ratio = fig["wall"] / lp_seconds if lp_seconds else float("nan")
    return (f"{label:20}{len(data['needs']):>7}{len(data['pledges']):>7}  {status:8}"
            f"{fig['wall']:>7.2f}{fig['cpu']:>7.2f}{fig['rss_mb']:>7.0f}{lp_seconds:>7.2f}"
            f"{lp_cpu:>7.2f}{ratio:>6.2f}{fig['cpu'] / lp_cpu:>6.2f}  {rules}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=("jakarta", "national", "both"), default="both")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--check", choices=("auto", "full", "floor", "none"), default="auto")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    families = [f for f in args.families.split(",") if f]
    check = "floor" if args.check == "auto" else args.check
    header = (f"{'family':20}{'needs':>7}{'pledges':>7}  {'status':8}{'wall':>7}{'cpu':>7}"
              f"{'RSS MB':>7}{'LP':>7}{'LP cpu':>7}{'ratio':>6}{'cpu r':>6}  rules")
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()}")
    for size in ("jakarta", "national"):
        if args.size not in (size, "both"):
            continue
        print(f"\n== {size} ==\n{header}")
        for family in families:
            print(bench_one(family, problem_for(size, family, args.seed), check, args.workers),
                  flush=True)
        if size == "national" and REGRESSION.exists():
            import gzip

            with gzip.open(REGRESSION, "rb") as f:
                data = orjson.loads(f.read())
            print(bench_one("regression (1 item)", data, check, args.workers), flush=True)
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
