"""Benchmark of the allocation engine against the greedy baseline.

    PYTHONPATH=src .venv/bin/python bench/allocation.py [--size jakarta|national|both]

Problems are synthetic but shaped on the real Kemendagri codes shipped in the package
(src/ksbb/areas/data/wilayah/villages.csv.gz), with a fixed seed. Each solver runs in its own
subprocess so that time and peak memory (ru_maxrss) cover the whole run: JSON load,
validation, solve and JSON write.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

# The Kemendagri data shipped in the package (ODbL, see src/ksbb/areas/data/wilayah/).
VILLAGES = ROOT / "src/ksbb/areas/data/wilayah/villages.csv.gz"
ITEMS = ("rice", "water", "blanket", "hygiene_kit")
SEED = 20240601


def _villages(prefix: str | None = None) -> list[str]:
    with gzip.open(VILLAGES, "rt", newline="", encoding="utf-8") as f:
        codes = [row["code"] for row in csv.DictReader(f)]
    return sorted(c for c in codes if prefix is None or c.startswith(prefix + "."))


def _truncate(code: str, depth: int) -> str:
    return ".".join(code.split(".")[:depth])


def _pledges(
    rng: random.Random,
    count: int,
    areas: list[str],
    weights: list[float],
    demand: dict[str, int],
    depth_probs: list[tuple[int, float]],
    restrict_probs: list[tuple[int | None, float]],
    supply_ratio: float,
) -> list[dict[str, Any]]:
    raw: list[tuple[str, str, float, str, str | None]] = []
    cum = list(itertools.accumulate(weights))
    for i in range(count):
        item = rng.choice(ITEMS)
        base = rng.choices(areas, cum_weights=cum)[0]
        depth = rng.choices([d for d, _ in depth_probs], [w for _, w in depth_probs])[0]
        area = _truncate(base, depth)
        rdepth = rng.choices([d for d, _ in restrict_probs], [w for _, w in restrict_probs])[0]
        restrict = None if rdepth is None else _truncate(base, min(rdepth, depth))
        raw.append((f"P{i:06d}", item, rng.lognormvariate(0, 1), area, restrict))
    # Scale quantities so that each item's supply is about supply_ratio of its demand.
    weight_sum: dict[str, float] = defaultdict(float)
    for r in raw:
        weight_sum[r[1]] += r[2]
    return [
        {
            "id": pid,
            "item": item,
            "quantity": max(1, round(w / weight_sum[item] * supply_ratio * demand[item])),
            "area": area,
            "restrict_to": restrict,
        }
        for pid, item, w, area, restrict in raw
    ]


def _need_lines(rng: random.Random, recipient: str, area: str, lo: int, hi: int) -> list[dict]:
    lines = []
    for item in ITEMS:
        if rng.random() < 0.6:
            lines.append(
                {
                    "recipient": recipient,
                    "item": item,
                    "quantity": rng.randint(lo, hi),
                    "priority": rng.choices([1, 2, 3], [0.2, 0.5, 0.3])[0],
                    "area": area,
                }
            )
    return lines


def jakarta(seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    villages = _villages("31")
    extra = set(rng.sample(range(len(villages)), 2705 - 10 * len(villages)))
    rws = [f"{v}.{k:03d}" for i, v in enumerate(villages) for k in range(1, 11 + (i in extra))]
    assert len(rws) == 2705, len(rws)
    needs = []
    for rw in rws:
        needs += _need_lines(rng, f"RW-{rw}", rw, 20, 200)
    for i in range(1000):
        area = rng.choice(rws) if rng.random() < 0.5 else rng.choice(villages)
        needs += _need_lines(rng, f"INST-{i:04d}", area, 5, 100)
    demand: dict[str, int] = defaultdict(int)
    for n in needs:
        demand[n["item"]] += n["quantity"]
    weights = [rng.lognormvariate(0, 1) for _ in rws]
    pledges = _pledges(
        rng,
        2000,
        rws,
        weights,
        demand,
        [(5, 0.5), (4, 0.3), (3, 0.15), (2, 0.05)],
        [(None, 0.6), (2, 0.3), (3, 0.1)],
        0.7,
    )
    return {"pledges": pledges, "needs": needs}


def national(seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    villages = _villages()
    needs = []
    for v in villages:
        needs += _need_lines(rng, f"V-{v}", v, 10, 500)
    demand: dict[str, int] = defaultdict(int)
    for n in needs:
        demand[n["item"]] += n["quantity"]
    # Donors cluster unevenly over provinces and regencies, so coverage differs by region.
    region_w: dict[str, float] = {}
    weights = []
    for v in villages:
        for key in (_truncate(v, 1), _truncate(v, 2)):
            region_w.setdefault(key, rng.lognormvariate(0, 1))
        weights.append(region_w[_truncate(v, 1)] * region_w[_truncate(v, 2)])
    pledges = _pledges(
        rng,
        50_000,
        villages,
        weights,
        demand,
        [(4, 0.6), (3, 0.25), (2, 0.1), (1, 0.05)],
        [(2, 0.45), (1, 0.35), (None, 0.2)],
        0.7,
    )
    return {"pledges": pledges, "needs": needs}


# ---------------------------------------------------------------------------------------------


def _worker(solver: str, input_path: str, output_path: str) -> None:
    from ksbb.allocation.engine import load_problem, run_file
    from ksbb.allocation.engine.greedy import greedy

    t0 = time.perf_counter()
    if solver == "engine":
        plan = run_file(input_path, output_path)
    else:
        plan = greedy(load_problem(json.loads(Path(input_path).read_text())))
        Path(output_path).write_text(json.dumps(plan.to_dict()))
    wall = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "solve": plan.summary.solve_seconds, "rss_mb": rss_mb}))


def _run(solver: str, problem_path: str, out_path: str) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", solver, problem_path, out_path],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["process"] = time.perf_counter() - t0
    return figures


def _check(problem: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """Rule (a) and a few figures computed from the output alone."""
    pledges = {p["id"]: p for p in problem["pledges"]}
    needs = {(n["recipient"], n["item"]): n for n in problem["needs"]}
    used: dict[str, int] = defaultdict(int)
    got: dict[tuple[str, str], int] = defaultdict(int)
    for a in plan["allocations"]:
        p, n = pledges[a["pledge"]], needs[(a["recipient"], a["item"])]
        assert p["item"] == n["item"] and a["quantity"] > 0
        r = p.get("restrict_to")
        assert r is None or n["area"] == r or n["area"].startswith(r + ".")
        used[a["pledge"]] += a["quantity"]
        got[(a["recipient"], a["item"])] += a["quantity"]
    assert all(used[k] <= pledges[k]["quantity"] for k in used)
    assert all(got[k] <= needs[k]["quantity"] for k in got)
    return {"got": got}


def bench(name: str, problem: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "problem.json")
        Path(src).write_text(json.dumps(problem))
        results = {}
        for solver in ("engine", "greedy"):
            out = os.path.join(tmp, f"{solver}.json")
            figures = _run(solver, src, out)
            plan = json.loads(Path(out).read_text())
            figures["plan"] = plan
            figures["got"] = _check(problem, plan)["got"]
            results[solver] = figures

    engine_groups = {
        (g["item"], g["priority"]): g["fair_level"]
        for g in results["engine"]["plan"]["summary"]["coverage_by_item_priority"]
    }
    n_lines = len(problem["needs"])
    print(
        f"\n== {name}: {len(problem['pledges'])} pledges, {n_lines} need lines, "
        f"{len({n['recipient'] for n in problem['needs']})} recipients =="
    )
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("whole run, s", lambda r: f"{r['wall']:.2f}"),
        ("solve, s", lambda r: f"{r['solve']:.2f}"),
        ("process incl. startup, s", lambda r: f"{r['process']:.2f}"),
        ("peak RSS, MB", lambda r: f"{r['rss_mb']:.0f}"),
        ("units allocated", lambda r: str(r["plan"]["summary"]["allocated"])),
    ]

    def coverage(prio: int) -> Callable[[dict[str, Any]], str]:
        def fmt(r: dict[str, Any]) -> str:
            for c in r["plan"]["summary"]["coverage_by_priority"]:
                if c["priority"] == prio:
                    return f"{c['coverage']:.4f} (min {c['lowest_ratio']:.3f})"
            return "-"

        return fmt

    for prio in sorted({n["priority"] for n in problem["needs"]}):
        rows.append((f"coverage priority {prio}", coverage(prio)))
    rows += [
        ("lowest coverage ratio", lambda r: f"{r['plan']['summary']['lowest_ratio']:.4f}"),
        ("locality cost", lambda r: str(r["plan"]["summary"]["locality_cost"])),
        (
            "cost per unit",
            lambda r: "{:.3f}".format(
                r["plan"]["summary"]["locality_cost"] / max(1, r["plan"]["summary"]["allocated"])
            ),
        ),
        ("same-regency share", lambda r: f"{r['plan']['summary']['same_regency_share']:.4f}"),
        (
            "needs at 0 with fair floor >= 1",
            lambda r: str(
                sum(
                    1
                    for n in problem["needs"]
                    if r["got"].get((n["recipient"], n["item"]), 0) == 0
                    and math.floor(
                        engine_groups.get((n["item"], n["priority"]), 0.0) * n["quantity"] + 1e-9
                    )
                    >= 1
                )
            ),
        ),
    ]
    print(f"{'':34}{'engine':>24}{'greedy':>24}")
    for label, fmt in rows:
        print(f"{label:34}{fmt(results['engine']):>24}{fmt(results['greedy']):>24}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=("jakarta", "national", "both"), default="both")
    parser.add_argument("--dump", metavar="PATH", help="also write the generated problem(s)")
    parser.add_argument(
        "--worker", nargs=3, metavar=("SOLVER", "INPUT", "OUTPUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return
    for name, make in (("jakarta", jakarta), ("national", national)):
        if args.size in (name, "both"):
            problem = make()
            if args.dump:
                Path(f"{args.dump}.{name}.json").write_text(json.dumps(problem))
            bench(name.capitalize(), problem)


if __name__ == "__main__":
    main()
