"""A sign-up flood against a running ``ksbb up`` (SQLite, the embedded default), and what
another user's request costs meanwhile.

    .venv/bin/python bench/flood.py [--signups 96] [--parallel 24] [--data-dir DIR]
                                    [--no-rate-limit]

Starts ``ksbb up`` (demo data, 2 gunicorn workers, task worker) on a data folder (a fresh
temporary one unless ``--data-dir`` names one to reuse), gives a demo account an API token,
then:

1. 10 times ``POST /api/v1/ideas/`` as that account, alone: the yardstick;
2. ``--signups`` anonymous ``POST /signup/`` from ``--parallel`` threads (one form token
   fetched first and reused, as a script does), while the same account keeps posting
   ideas every 0.25 s;
3. reports the sign-ups' status codes, the idea requests' times (median, p95, max) alone
   and under the flood, and whether the task worker is still alive afterwards.

``--no-rate-limit`` switches the sign-up limit off (KSBB_SIGNUP_RATE=off), to measure the
cost of the sign-ups themselves rather than of their refusal. Figures only; nothing is
asserted. The client shares the machine with the server.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, server: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310
            return
        except OSError:
            if server.poll() is not None:
                sys.exit("ksbb up stopped")
            if time.monotonic() > deadline:
                sys.exit(f"ksbb up did not answer within {seconds:.0f} s")
            time.sleep(0.5)


def _csrf(base: str) -> tuple[str, str]:
    """One anonymous form token and its cookie, reused by every sign-up of the flood (as a
    script would): the flood is POSTs only."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/signup/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return (token.group(1) if token else ""), cookie


def _signup(base: str, n: int, tag: str, csrf: tuple[str, str]) -> int:
    token, cookie = csrf
    data = urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "name": "Flood",
        "username": f"flood-{tag}-{n}", "email": f"flood-{tag}-{n}@example.org",
        "password": "Very-long-passphrase-9137"}).encode()
    req = urllib.request.Request(f"{base}/signup/", data=data, headers={  # noqa: S310
        "Referer": f"{base}/signup/", "Cookie": f"csrftoken={cookie}"})
    try:
        return int(urllib.request.urlopen(req, timeout=60).status)  # noqa: S310
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return -1


def _idea(base: str, token: str) -> tuple[float, int]:
    body = json.dumps({"title": "Dapur umum", "body": "Usul dapur umum di RW 01."}).encode()
    req = urllib.request.Request(f"{base}/api/v1/ideas/", data=body, headers={  # noqa: S310
        "Authorization": f"Token {token}", "Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        status = urllib.request.urlopen(req, timeout=60).status  # noqa: S310
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = -1
    return time.perf_counter() - started, int(status)


def _summary(times: list[float]) -> str:
    if not times:
        return "none"
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"n={len(times)} median {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")


def _children(pid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signups", type=int, default=96)
    parser.add_argument("--parallel", type=int, default=24)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--no-rate-limit", action="store_true")
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="ksbb-flood-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSBB_")}
    env["KSBB_DATA_DIR"] = str(data_dir)
    if args.no_rate_limit:
        env["KSBB_SIGNUP_RATE"] = "off"
    ksbb = [sys.executable, "-m", "ksbb.cli"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data_dir / "flood-up.log").open("w")
    server = subprocess.Popen([*ksbb, "up", "--port", str(port), "--workers", "2"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(f"{base}/healthz", server, 600)
        token = subprocess.run([*ksbb, "issue_token", "collaborator"], env=env, capture_output=True,
                               text=True, check=True).stdout.strip().split()[-1]
        alone = [_idea(base, token) for _ in range(10)]
        tag = f"{int(time.time())}"
        csrf = _csrf(base)
        statuses: list[int] = []
        lock = threading.Lock()
        todo = iter(range(args.signups))

        def flood() -> None:
            for n in todo:
                status = _signup(base, n, tag, csrf)
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=flood) for _ in range(args.parallel)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        during: list[tuple[float, int]] = []
        while any(t.is_alive() for t in threads):
            during.append(_idea(base, token))
            time.sleep(0.25)
        for t in threads:
            t.join()
        flood_seconds = time.perf_counter() - started
        time.sleep(3)  # a dead worker is restarted within a second or two
        workers = [c for c in _children(server.pid) if "db_worker" in c]
        print(f"data folder: {data_dir}")
        print(f"sign-ups: {args.signups} from {args.parallel} threads in {flood_seconds:.1f} s;"
              f" status codes: {dict(sorted(_count(statuses).items()))}")
        print(f"POST /api/v1/ideas/ alone:        {_summary([t for t, _s in alone])}, "
              f"status {dict(_count([s for _t, s in alone]))}")
        print(f"POST /api/v1/ideas/ under flood:  {_summary([t for t, _s in during])}, "
              f"status {dict(_count([s for _t, s in during]))}")
        print(f"task worker alive afterwards: {bool(workers)}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _count(values: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


if __name__ == "__main__":
    main()
