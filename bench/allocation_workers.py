"""A national allocation run spread over task workers, with one worker and with two.

    .venv/bin/python bench/allocation_workers.py [--family mixed] [--workers 1,2]

Does what an in-app run of national size does (allocation.parts): splits the problem into
its independent parts, writes each part as JSON to a shared folder (the file storage), lets
N worker processes take parts from a queue (biggest first, as they come), each reading its
part and writing its result as JSON, and combines the results into the plan; then checks the
plan is the one ``solve`` makes in one process. Prints, per worker count, the split, solve
and combine seconds, the whole run's wall time and its ratio to one worker's. Worker
processes here stand in for ``ksbb db_worker`` processes, which take the same part tasks
from the database queue (tests/ops/test_two_nodes.py and tests/allocation/test_run_parts.py
show that path); the database round trips are small next to the solving.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from allocation import problem_for  # noqa: E402
from ksbb.allocation.engine import load_problem  # noqa: E402
from ksbb.allocation.engine.parts import (  # noqa: E402
    Part,
    PartResult,
    combine,
    solve_part,
    split,
)


def _work(job: tuple[str, int]) -> tuple[int, float]:
    folder, index = job
    started = time.perf_counter()
    part = Part.from_dict(orjson.loads(Path(folder, f"part-{index}.json").read_bytes()))
    Path(folder, f"result-{index}.json").write_bytes(orjson.dumps(solve_part(part).to_dict()))
    return index, time.perf_counter() - started


def run(data: dict[str, object], workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ksbb-parts-") as folder:
        t0 = time.perf_counter()
        problem = load_problem(data)
        parts = split(problem)
        for p in parts:
            Path(folder, f"part-{p.index}.json").write_bytes(orjson.dumps(p.to_dict()))
        t1 = time.perf_counter()
        order = sorted(parts, key=lambda p: -len(p.needs))
        context = multiprocessing.get_context("spawn")
        with context.Pool(workers) as pool:
            busy = sum(s for _, s in pool.imap_unordered(
                _work, [(folder, p.index) for p in order], chunksize=1))
        t2 = time.perf_counter()
        results = [PartResult.from_dict(orjson.loads(Path(folder, f"result-{p.index}.json")
                                                     .read_bytes())) for p in parts]
        plan = combine(problem, results, busy)
        t3 = time.perf_counter()
    return {"parts": len(parts), "split": t1 - t0, "solve": t2 - t1, "combine": t3 - t2,
            "total": t3 - t0, "busy": busy, "plan": plan.to_dict()}  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", default="mixed")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--size", default="national", choices=["jakarta", "national"])
    args = parser.parse_args()
    data = problem_for(args.size, args.family)
    print(f"== {args.size} problem, family {args.family}: {len(data['needs'])} needs, "
          f"{len(data['pledges'])} pledges; {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    plans = []
    for n in [int(w) for w in args.workers.split(",")]:
        r = run(data, n)
        plan = r.pop("plan")
        plan["summary"].pop("solve_seconds", None)  # type: ignore[index, union-attr]
        plans.append(plan)
        rows.append((n, r))
        print(f"  {n} worker(s) done", flush=True)
    print(f"\n{'workers':>7} {'parts':>6} {'split s':>8} {'solve s':>8} {'combine s':>9} "
          f"{'total s':>8} {'vs 1':>6}")
    base = rows[0][1]["total"]
    for n, r in rows:
        print(f"{n:7d} {int(r['parts']):6d} {r['split']:8.2f} {r['solve']:8.2f} "
              f"{r['combine']:9.2f} {r['total']:8.2f} {r['total'] / base:6.2f}")
    print("same plan with every worker count:", all(p == plans[0] for p in plans))


if __name__ == "__main__":
    main()
