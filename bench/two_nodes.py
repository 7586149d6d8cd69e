"""HTTP load through nginx against two KSBB web nodes, next to one node alone.

    .venv/bin/python bench/two_nodes.py [--duration 10] [--connections 64]

Sets up a PostgreSQL database of its own with the demo data (``ksbb up --setup-only``),
starts the S3 gateway (scripts/s3/ceph-up.sh) and two web nodes (gunicorn, 2 workers x 4
threads each, data folders of their own, shared Redis cache and bucket) behind nginx, as
tests/ops/test_two_nodes.py does, and drives wrk (Debian package ``wrk``) at the balancer
and at one node directly, for the public dashboard, the stats API and the no-database
yardstick ``/healthz/ping``. Prints requests per second, latency and errors for each.

This machine has 2 cores for the nodes, nginx, PostgreSQL, Redis, Ceph and wrk together: the
figures show that the balanced pair answers without errors, not how it scales.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.cluster import Cluster  # noqa: E402

SERVER = "postgres://postgres@127.0.0.1:5432"


def _load_module() -> object:
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--database", default="ksbb_bench_nodes")
    args = parser.parse_args()

    load = _load_module()
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    s3 = subprocess.run(["bash", str(ROOT / "scripts/s3/ceph-up.sh")], capture_output=True,
                        text=True, check=True).stdout.strip()
    bucket = f"ksbb-bench-{uuid.uuid4().hex[:8]}"
    storage_url = s3.rsplit("/", 1)[0] + f"/{bucket}?" + s3.split("?", 1)[1]
    folder = Path(tempfile.mkdtemp(prefix="ksbb-nodes-"))
    script = folder / "report.lua"
    script.write_text(load.REPORT_LUA, encoding="utf-8")  # type: ignore[attr-defined]
    database_url = f"{SERVER}/{args.database}"
    with load._admin() as admin:  # type: ignore[attr-defined]
        admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.database}"')
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSBB_")}
    env.update(KSBB_API_ANON_RATE="off", KSBB_API_USER_RATE="off")
    cluster = Cluster.shared(env, folder, database_url=database_url, storage_url=storage_url,
                             cache_url="redis://127.0.0.1:6379/14")
    cluster.env.update(KSBB_API_ANON_RATE="off", KSBB_API_USER_RATE="off")
    try:
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "ksbb.cli", "up", "--setup-only"],
                       env={**cluster.env, "KSBB_DATA_DIR": str(folder / "setup")}, cwd=ROOT,
                       check=True, capture_output=True)
        a = cluster.web("a", workers=2)
        cluster.web("b", workers=2)
        front = cluster.balancer()
        print(f"== two nodes (2 gunicorn workers x 4 threads each) behind nginx, PostgreSQL "
              f"{args.database}, Redis, Ceph S3; ready in {time.monotonic() - started:.0f} s; "
              f"wrk 2 threads, {args.connections} connections, {args.duration} s per target; "
              f"{os.cpu_count()} CPUs for everything, load {os.getloadavg()[0]:.1f}",
              flush=True)
        rows = []
        for path in ("/", "/api/v1/stats/dashboard/", "/healthz/ping"):
            for label, base in (("nginx, 2 nodes", front), ("node A alone", a)):
                load._wrk(wrk, base + path, duration=2,  # type: ignore[attr-defined]
                          connections=8, threads=1, script=script)
                r = load._wrk(wrk, base + path,  # type: ignore[attr-defined]
                              duration=args.duration, connections=args.connections,
                              threads=2, script=script)
                rows.append((label, path, r))
        print(f"\n{'via':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} "
              f"{'non-2xx':>8} {'sock err':>8}  path")
        for label, path, r in rows:
            seconds = r["duration_us"] / 1e6
            errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
            print(f"{label:<16} {r['requests'] / seconds:8.1f} {r['p50'] / 1000:8.1f} "
                  f"{r['p99'] / 1000:8.1f} {r['requests']:9d} {r['status']:8d} "
                  f"{errors:8d}  {path}")
    finally:
        cluster.stop()
        with load._admin() as admin:  # type: ignore[attr-defined]
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
