"""HTTP load on the public pages of a running ``ksbb up``, on PostgreSQL, with wrk.

    .venv/bin/python bench/load.py [--duration 15] [--connections 200] [--workers 2]

Creates a database of its own (``ksbb_bench_load`` on the local server, made anew and
dropped at the end), starts ``ksbb up`` on it (demo data, so the pages have content;
gunicorn with ``--workers`` processes of 4 threads each, as in production) and drives
``--connections`` concurrent keep-alive connections with wrk (Debian package ``wrk``) for
``--duration`` seconds against each target:

- ``/``                          the public dashboard (HTML)
- ``/api/v1/stats/dashboard/``   the same figures as JSON
- ``/verify/<code>/``            the demo's signed BAST, as its QR code opens it
- ``/donations/needs/``          the need map (public)
- ``/healthz/ping``              a view without database or template: Django's own cost,
                                 the yardstick the others are measured against

Prints, per target, requests per second, latency percentiles (p50, p95, p99) and errors
(responses other than 2xx/3xx, and socket errors: connect, read, write, timeout). Figures
only; nothing is asserted. wrk and the server share the machine, so the figures are a
floor for the server, not its ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"

# wrk's Lua hook: one JSON line with what the table needs (latencies in microseconds).
REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'KSBB_WRK {"requests": %d, "duration_us": %d, "bytes": %d, "p50": %d, "p95": %d, '
    .. '"p99": %d, "max": %d, "connect": %d, "read": %d, "write": %d, "status": %d, '
    .. '"timeout": %d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, e.connect, e.read,
    e.write, e.status, e.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin() -> object:
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310
            return
        except OSError:
            if server.poll() is not None:
                sys.exit(f"ksbb up stopped:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                sys.exit(f"ksbb up did not answer within {seconds:.0f} s")
            time.sleep(0.5)


def _signed_bast_code(database: str) -> str:
    import psycopg

    with psycopg.connect(f"{SERVER}/{database}") as conn:
        row = conn.execute("SELECT code FROM distribution_handover WHERE state = 'signed' "
                           "ORDER BY id LIMIT 1").fetchone()
    if row is None:
        sys.exit("the demo data has no signed BAST")
    return str(row[0])


def _wrk(wrk: str, url: str, *, duration: int, connections: int, threads: int,
         script: Path) -> dict[str, int]:
    done = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
         "-H", "Cookie: django_language=en", "-s", str(script), url],
        capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("KSBB_WRK "):
            return dict(json.loads(line[len("KSBB_WRK "):]))
    sys.exit(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per target")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--database", default="ksbb_bench_load")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    port = args.port or _free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="ksbb-load-"))
    script = data_dir / "report.lua"
    script.write_text(REPORT_LUA, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSBB_")}
    # The API's per-address rate limit would answer most of one machine's load with 429.
    env.update(KSBB_DATABASE_URL=f"{SERVER}/{args.database}", KSBB_DATA_DIR=str(data_dir),
               KSBB_LOG_LEVEL="WARNING", KSBB_API_ANON_RATE="off", KSBB_API_USER_RATE="off")
    with _admin() as admin:  # type: ignore[attr-defined]
        admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.database}"')
    log = data_dir / "up.log"
    server = None
    try:
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "ksbb.cli", "up", "--port", str(port), "--workers",
                 str(args.workers), "--no-task-worker"],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        _wait_for(f"{base}/healthz", server, log, 300)
        print(f"== ksbb up on PostgreSQL ({args.database}) with demo data ready in "
              f"{time.monotonic() - started:.0f} s; gunicorn {args.workers} workers x 4 "
              f"threads; wrk {args.threads} threads, {args.connections} connections, "
              f"{args.duration} s per target; {os.cpu_count()} CPUs shared with wrk, load "
              f"average {os.getloadavg()[0]:.1f} before the run",
              flush=True)
        targets = [("dashboard", "/"), ("stats API", "/api/v1/stats/dashboard/"),
                   ("BAST verify", f"/verify/{_signed_bast_code(args.database)}/"),
                   ("need map", "/donations/needs/"),
                   ("ping (no DB)", "/healthz/ping")]
        rows = []
        for name, path in targets:
            # A short warm-up: the first request of each worker fills its caches.
            _wrk(wrk, base + path, duration=2, connections=min(args.connections, 8),
                 threads=1, script=script)
            r = _wrk(wrk, base + path, duration=args.duration, connections=args.connections,
                     threads=args.threads, script=script)
            rows.append((name, path, r))
            print(f"  measured {name}", flush=True)
        print(f"load average after the run: {os.getloadavg()[0]:.1f}")
        print()
        ping = rows[-1][2]
        ping_rate = ping["requests"] / (ping["duration_us"] / 1e6) or 1.0
        print(f"{'target':<14} {'req/s':>8} {'x ping':>7} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'requests':>9} {'non-2xx':>8} {'sock err':>8}  path")
        for name, path, r in rows:
            seconds = r["duration_us"] / 1e6
            socket_errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
            print(f"{name:<14} {r['requests'] / seconds:8.1f} "
                  f"{r['requests'] / seconds / ping_rate:7.2f} {r['p50'] / 1000:8.1f} "
                  f"{r['p95'] / 1000:8.1f} {r['p99'] / 1000:8.1f} {r['requests']:9d} "
                  f"{r['status']:8d} {socket_errors:8d}  {path}")
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        with _admin() as admin:  # type: ignore[attr-defined]
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
