"""Benchmark of the allocation engine: every problem family at Jakarta and national size.

    .venv/bin/python bench/allocation.py [--size jakarta|national|both] [--families a,b]
                                         [--check auto|full|floor|none] [--workers N]
                                         [--repeat N] [--no-bytecode]

For each family (ksbb.allocation.engine.families) it generates a problem, runs the whole
`ksbb allocate` command on it as a separate process (start-up, imports, JSON in, solve, JSON
out) and reports: status, wall and CPU seconds (user + sys, workers included), peak memory
(largest process, from GNU time: see run_command) and the rule checks of the independent reference
(ksbb.allocation.engine.reference).

It also prints the start-up floor: the time to start Python and import numpy, highspy and
orjson, which every Python command solving with HiGHS pays (the yardstick's command too).

The yardstick is one plain min-cost LP of the same problem with HiGHS (bench/
allocation_plain.py: supply to needs on the area tree, restrictions respected, no priorities
and no fairness: deliver as much as possible at least cost), measured two ways:

* `LP`, `LP cpu`: built and solved from the already decoded problem, timed inside the
  yardstick's own fresh process (not in this one, whose heap slows it down). It
  leaves out what the command pays and the LP does not: process start, imports (numpy and
  highspy alone take about 0.1 s), reading and writing JSON. `ratio` and `cpu r` divide the
  whole command's wall and CPU seconds by these: the target of issue 20 ("the whole command
  within 3x the plain LP") is stated with them.
* `LPcmd`, `LPc cpu`: the same LP as a whole command in a fresh process, like for like
  with `ksbb allocate`: start Python, import numpy/highspy/orjson, read the same JSON file,
  build, solve, write its flows as JSON. `r cmd` and `cpu rc` divide the command's wall and
  CPU seconds by these.

Both commands run with the same environment, with OPENBLAS_NUM_THREADS=1 (neither uses
BLAS; the engine's command sets it itself) and the cyclic GC off (both do it). Byte code:
by default the project's modules and the yardstick are compiled beforehand, as an installed
package has them (pip compiles on install); `--no-bytecode` removes that byte code, so that
with PYTHONDONTWRITEBYTECODE set, as in this sandbox, every run compiles the engine's source
again (about 25 ms more per run at Jakarta size).
`--repeat N` runs each command N times and keeps the fastest run (the
machine is shared: the load average is printed with the figures).

Checks: `full` is (a)-(d) with full progressive filling and the pairwise cost LP, affordable
up to a few thousand need lines; `floor` is (a), (b) and the floor guarantee of (c); `auto`
(the default) takes `floor` at these sizes.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


_OWN_MODULES = (ROOT / "src/ksbb/__init__.py", ROOT / "src/ksbb/cli.py",
                ROOT / "src/ksbb/allocation/__init__.py", ROOT / "bench/allocation_plain.py",
                *sorted((ROOT / "src/ksbb/allocation/engine").glob("*.py")))


def compile_bytecode() -> None:
    """Compile what the two commands import from this repository, as an installed package
    has it (PYTHONDONTWRITEBYTECODE would otherwise make every run compile it again)."""
    for path in _OWN_MODULES:
        compileall.compile_file(str(path), quiet=1)


def remove_bytecode() -> None:
    """The opposite, for --no-bytecode: with PYTHONDONTWRITEBYTECODE set (as in this sandbox)
    every run then compiles these modules again."""
    for path in _OWN_MODULES:
        Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
                OPENBLAS_NUM_THREADS="1")


# Peak memory comes from GNU time when there is one. The usage wait4 gives for a child of
# this process is no good for it: Linux counts the spawning process's peak into the child's
# at exec, so the figure would be this benchmark's own size (hundreds of MB with a national
# problem and its checks in memory) whenever that is larger than the command's.
_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
_RSS_MARK = "ksbb-bench-maxrss-kb="


def run_command(cmd: list[str]) -> dict[str, Any]:
    """One command in a fresh process: wall and CPU seconds (its workers included), peak
    memory of its largest process, exit status, output."""
    if _TIME:
        cmd = [_TIME, "-f", _RSS_MARK + "%M", *cmd]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    rss_mb = usage.ru_maxrss / 1024  # an upper bound (see _TIME)
    if _TIME and _RSS_MARK in err:
        err, _, kb = err.rpartition(_RSS_MARK)
        rss_mb = int(kb.split()[0]) / 1024
    code = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": rss_mb, "code": code, "out": out, "err": err}


def start_up_floor(repeat: int) -> float:
    """Wall seconds of the least any Python command solving with HiGHS pays before reading
    its input: starting Python and importing numpy, highspy and orjson (highspy imports
    numpy itself)."""
    probe = [sys.executable, "-c", "import numpy, highspy, orjson"]
    return min(run_command(probe)["wall"] for _ in range(repeat))


def _fastest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = dict(min(runs, key=lambda r: r["wall"]))
    best["cpu"] = min(r["cpu"] for r in runs)
    best["rss_mb"] = max(r["rss_mb"] for r in runs)
    return best


def bench_one(label: str, data: dict[str, Any], check: str, workers: int | None,
              repeat: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "problem.json")
        dst = os.path.join(tmp, "plan.json")
        flows = os.path.join(tmp, "flows.json")
        Path(src).write_bytes(orjson.dumps(data))
        engine = [sys.executable, "-m", "ksbb.cli", "allocate", "--input", src, "--output",
                  dst] + ([] if workers is None else ["--workers", str(workers)])
        # As a module (-m), so that its byte code is used like the engine's.
        yardstick = [sys.executable, "-m", "allocation_plain", "--input", src, "--output",
                     flows]
        fig = _fastest([run_command(engine) for _ in range(repeat)])
        lp_runs = [run_command(yardstick) for _ in range(repeat)]
        lp_cmd = _fastest(lp_runs)
        plan = orjson.loads(Path(dst).read_bytes()) if fig["code"] == 0 else None
    status = "ok" if fig["code"] == 0 else f"FAILED ({fig['code']}: {fig['err'][-200:]})"
    if lp_cmd["code"] != 0:
        status += f" (LP command failed: {lp_cmd['err'][-200:]})"
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
    # The LP alone, as timed inside the yardstick's own fresh process: timed in this one, it
    # ran slower (this process holds the generated problem and the checker's garbage).
    lp_seconds = lp_cpu = float("inf")
    for run in lp_runs:
        if run["code"] == 0:
            timed = orjson.loads(run["out"].strip().splitlines()[-1])
            lp_seconds = min(lp_seconds, timed["lp_seconds"])
            lp_cpu = min(lp_cpu, timed["lp_cpu"])
    return (f"{label:20}{len(data['needs']):>7}{len(data['pledges']):>7}  {status:8}"
            f"{fig['wall']:>7.2f}{fig['cpu']:>7.2f}{fig['rss_mb']:>7.0f}"
            f"{lp_seconds:>7.2f}{lp_cpu:>7.2f}{fig['wall'] / lp_seconds:>6.2f}"
            f"{fig['cpu'] / lp_cpu:>6.2f}"
            f"{lp_cmd['wall']:>7.2f}{lp_cmd['cpu']:>8.2f}{fig['wall'] / lp_cmd['wall']:>6.2f}"
            f"{fig['cpu'] / lp_cmd['cpu']:>7.2f}  {rules}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=("jakarta", "national", "both"), default="both")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--check", choices=("auto", "full", "floor", "none"), default="auto")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per measurement; the fastest is kept")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="do not compile the modules beforehand")
    args = parser.parse_args()
    families = [f for f in args.families.split(",") if f]
    check = "floor" if args.check == "auto" else args.check
    header = (f"{'family':20}{'needs':>7}{'pledges':>7}  {'status':8}{'wall':>7}{'cpu':>7}"
              f"{'RSS MB':>7}{'LP':>7}{'LP cpu':>7}{'ratio':>6}{'cpu r':>6}"
              f"{'LPcmd':>7}{'LPc cpu':>8}{'r cmd':>6}{'cpu rc':>7}  rules")
    if args.no_bytecode:
        remove_bytecode()
    else:
        compile_bytecode()
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()}, "
          f"byte code {'compiled on every run' if args.no_bytecode else 'compiled beforehand'}"
          f", fastest of {args.repeat} run(s)")
    floor = start_up_floor(max(args.repeat, 3))
    print(f"start-up floor: {floor:.3f} s to start Python and import numpy, highspy and orjson "
          f"(fastest of {max(args.repeat, 3)}); no Python command solving with HiGHS can be "
          f"within 3x of an LP that takes less than {floor / 3:.3f} s")
    for size in ("jakarta", "national"):
        if args.size not in (size, "both"):
            continue
        print(f"\n== {size} ==\n{header}")
        for family in families:
            print(bench_one(family, problem_for(size, family, args.seed), check, args.workers,
                            args.repeat), flush=True)
        if size == "national" and REGRESSION.exists():
            import gzip

            with gzip.open(REGRESSION, "rb") as f:
                data = orjson.loads(f.read())
            print(bench_one("regression (1 item)", data, check, args.workers, args.repeat),
                  flush=True)
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
