"""Benchmark of the public dashboard's data at scale, on PostgreSQL.

    .venv/bin/python bench/dashboard.py [--deliveries 1000000] [--seconds 10]

Creates a database of its own (``ksbb_bench`` on the local server, dropped and made anew),
fills it with Jakarta's areas and RWs, collaborators of every kind, goods pledges and, for
each delivery, the allocation, delivery, BAST and their lines behind it (bulk inserts with
explicit keys: the services would take hours for a million). Then prints:

- the time of ``ksbb stats_rebuild`` (the bulk inserts bypass the services that keep the
  dashboard's rollups, so they are rebuilt once after the load);
- the time of ``dashboard()`` uncached (the cache emptied before each call) and cached,
  without filters and with a few filters, and once the same figures computed from the source
  tables (ksbb.stats.reference), checked equal;
- the requests per second of ``/`` and of ``/api/v1/stats/dashboard/`` served by gunicorn
  (2 workers, as ``ksbb up``) under a local load of concurrent clients for a few seconds.

Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SERVER = "postgres://postgres@127.0.0.1:5432"
KINDS = ["social_org", "business", "individual", "community", "government"]
# The May 2021 mix, as weights for the donors' regencies and kinds.
REGENCIES = [("31.74", 32), ("31.75", 21), ("31.72", 16), ("31.71", 15), ("31.73", 14),
             ("31.01", 2)]
BATCH = 20_000


def _recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _populate(deliveries: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from ksbb.accounts.models import Organization
    from ksbb.allocation.models import Allocation
    from ksbb.areas.models import Area
    from ksbb.areas.services import rws_import
    from ksbb.core.domain import SystemActor
    from ksbb.distribution.models import Delivery, DeliveryLine, Handover, HandoverLine
    from ksbb.donations.models import AggregatorProfile, CollaboratorProfile, Item, Pledge
    from ksbb.needs.models import AssessmentRound, Need, Recipient
    from ksbb.needs.services import recipients_ensure_for_rws
    from ksbb.ops.demo import demo_rw_rows

    system = SystemActor("bench")

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_areas", province=["31"], no_progress=True, verbosity=0)
    rws_import(rows=demo_rw_rows("31"), by=system, is_demo=True)
    recipients_ensure_for_rws(by=system)
    sembako = Item.objects.get(code="sembako")
    program = sembako.program
    rng = random.Random(2021)

    aggregator = Organization.objects.create(kind="aggregator", name="Agregator Bench")
    AggregatorProfile.objects.create(organization=aggregator, licence_number="BENCH-1",
                                     licence_valid_until=dt.date(2030, 1, 1))
    executor = Organization.objects.create(kind="executor", name="Pelaksana Bench")
    collaborators = []
    for n in range(200):
        regency = rng.choices([r for r, _w in REGENCIES], [w for _r, w in REGENCIES])[0]
        org = Organization.objects.create(kind="collaborator", name=f"Donatur {n}",
                                          area_id=regency)
        CollaboratorProfile.objects.create(
            organization=org, collaborator_kind=rng.choices(KINDS, [51, 31, 9, 5, 4])[0],
            contact_email=f"d{n}@bench.invalid")
        collaborators.append(org)
    recipients = list(Recipient.objects.filter(kind="rw").values_list("pk", "area_id"))
    rnd = AssessmentRound.objects.create(name="Bench", program=program,
                                         period_start=dt.date(2020, 4, 1),
                                         period_end=dt.date(2021, 12, 31))
    Need.objects.bulk_create(Need(round=rnd, recipient_id=pk, item=sembako, quantity=10**6,
                                  priority=2) for pk, _a in recipients)
    needs = dict(Need.objects.filter(round=rnd).values_list("recipient_id", "pk"))
    print(f"  reference data, RWs and donors: {time.perf_counter() - started:.1f} s",
          flush=True)

    per_pledge = 10  # each pledge is handed over in ten deliveries of 1-5 packages
    pledges = (deliveries + per_pledge - 1) // per_pledge
    start_day = dt.datetime(2020, 4, 6, 9, tzinfo=dt.UTC)
    for first in range(0, pledges, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, pledges)):
            when = start_day + dt.timedelta(minutes=i * 7 % (600 * 24 * 60))
            rows.append(Pledge(
                pk=i + 1, collaborator=collaborators[i % len(collaborators)],
                aggregator=aggregator, kind="goods", program=program, item=sembako,
                quantity=50, received_quantity=50, state="completed", received_at=when))
        Pledge.objects.bulk_create(rows)
    print(f"  {pledges:,} pledges: {time.perf_counter() - started:.1f} s", flush=True)

    for first in range(0, deliveries, BATCH):
        last = min(first + BATCH, deliveries)
        allocations, deliveries_, lines, handovers, hlines = [], [], [], [], []
        for i in range(first, last):
            pk = i + 1
            recipient, area = recipients[i % len(recipients)]
            quantity = 1 + i % 5
            day = dt.date(2020, 4, 6) + dt.timedelta(days=(i * 13) % 600)
            allocations.append(Allocation(
                pk=pk, pledge_id=i // per_pledge + 1, need_id=needs[recipient],
                recipient_id=recipient, item=sembako, quantity=quantity, locality="village"))
            deliveries_.append(Delivery(pk=pk, recipient_id=recipient, executor=executor,
                                        program=program, state="handed_over",
                                        scheduled_for=day))
            lines.append(DeliveryLine(pk=pk, delivery_id=pk, allocation_id=pk,
                                      quantity=quantity))
            handovers.append(Handover(
                pk=pk, number=f"BAST/PANGAN/{day:%Y/%m}/{pk:07d}", code=f"B{pk:011d}",
                delivery_id=pk, program=program, state="signed", date=day, area_id=area,
                address="Balai warga", fingerprint="0" * 64))
            hlines.append(HandoverLine(pk=pk, handover_id=pk, delivery_line_id=pk,
                                       item=sembako, quantity=quantity))
        with transaction.atomic():
            for model, rows in ((Allocation, allocations), (Delivery, deliveries_),
                                (DeliveryLine, lines), (Handover, handovers),
                                (HandoverLine, hlines)):
                model.objects.bulk_create(rows)
        if (last // BATCH) % 10 == 0 or last == deliveries:
            print(f"  {last:,} deliveries with allocations and BASTs: "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _ = Area  # the area tree came from load_areas
    _rebuild()


def _rebuild() -> None:
    from django.db import connection

    from ksbb.stats.rollups import rebuild

    started = time.perf_counter()
    counts = rebuild(progress=lambda message: print(
        f"    {time.perf_counter() - started:6.1f} s  {message}", flush=True))
    print(f"  stats_rebuild: {time.perf_counter() - started:.1f} s "
          f"({', '.join(f'{k} {v:,}' for k, v in counts.items())})", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _time_dashboard(repeat: int, filters: object) -> tuple[list[float], list[float]]:
    from django.core.cache import cache

    from ksbb.stats.selectors import dashboard

    uncached, cached = [], []
    for _ in range(repeat):
        cache.clear()
        t = time.perf_counter()
        dashboard(filters)  # type: ignore[arg-type]
        uncached.append(time.perf_counter() - t)
    for _ in range(repeat * 10):
        t = time.perf_counter()
        dashboard(filters)  # type: ignore[arg-type]
        cached.append(time.perf_counter() - t)
    return uncached, cached


def _load(url: str, seconds: float, clients: int) -> tuple[int, int, list[float]]:
    done, errors, latencies = 0, 0, []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal done, errors
        while time.monotonic() < deadline:
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - t)
                if ok:
                    done += 1
                else:
                    errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, errors, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--database", default="ksbb_bench")
    parser.add_argument("--seconds", type=float, default=10.0, help="load per URL")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a previous run filled; do not refill it")
    parser.add_argument("--rebuild", action="store_true",
                        help="with --reuse: run stats_rebuild first")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="ksbb-bench-")
    os.environ.update(KSBB_DATABASE_URL=f"{SERVER}/{args.database}", KSBB_DATA_DIR=data_dir,
                      DJANGO_SETTINGS_MODULE="ksbb.settings", KSBB_LOG_LEVEL="WARNING")
    if not args.reuse:
        _recreate_database(args.database)
    import django

    django.setup()
    if not args.reuse:
        print(f"== populating {args.database} with {args.deliveries:,} deliveries",
              flush=True)
        _populate(args.deliveries)
    else:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)  # a database from before the rollups: builds them
        print(f"== migrated in {time.perf_counter() - started:.1f} s", flush=True)
        if args.rebuild:
            _rebuild()

    from ksbb.stats.reference import reference_dashboard
    from ksbb.stats.selectors import Filters, dashboard

    data = dashboard(Filters())
    print(f"== dashboard figures: collected Rp {data.total_collected:,}, packages "
          f"{data.packages_delivered:,}, deliveries {data.deliveries:,}, recipients "
          f"{data.recipients_reached:,}")
    print("== dashboard data (the function behind / and /api/v1/stats/dashboard/)")
    for label, filters in [
            ("no filters", Filters()),
            ("PANGAN, 31.74, May-Jun 2020", Filters(program="PANGAN", regency="31.74",
                                                   start=dt.date(2020, 5, 1),
                                                   end=dt.date(2020, 6, 30))),
            ("one week of Jan 2021", Filters(start=dt.date(2021, 1, 4),
                                             end=dt.date(2021, 1, 10)))]:
        uncached, cached = _time_dashboard(5, filters)
        print(f"  {label}:")
        print(f"    uncached: median {statistics.median(uncached) * 1000:.0f} ms, "
              f"min {min(uncached) * 1000:.0f} ms, max {max(uncached) * 1000:.0f} ms "
              "(5 runs)")
        print(f"    cached:   median {statistics.median(cached) * 1000:.2f} ms, "
              f"max {max(cached) * 1000:.2f} ms (50 runs)")
        t = time.perf_counter()
        reference = reference_dashboard(filters)
        took = time.perf_counter() - t
        same = reference == dashboard(filters, use_cache=False)
        print(f"    from the source tables (reference): {took * 1000:.0f} ms, "
              f"{'the same figures' if same else 'DIFFERENT FIGURES'}", flush=True)

    # The API's per-address rate limit would answer most of one machine's load with 429.
    env = {**os.environ, "KSBB_API_ANON_RATE": "off", "KSBB_API_USER_RATE": "off"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ksbb.wsgi:application", "--bind",
         f"127.0.0.1:{args.port}", "--workers", "2", "--worker-class", "gthread",
         "--threads", "4", "--log-level", "warning"], env=env)
    try:
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        print(f"== load: {args.clients} concurrent clients, {args.seconds:.0f} s per URL, "
              "gunicorn 2 workers x 4 threads")
        for path in ["/", "/api/v1/stats/dashboard/", "/healthz"]:
            # Warm every worker's cache first: the figures are cached per process.
            _load(base + path, 1.0, args.clients)
            done, errors, latencies = _load(base + path, args.seconds, args.clients)
            latencies.sort()
            p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0
            p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0
            print(f"  {path:<28} {done / args.seconds:8.1f} req/s  p50 {p50:6.1f} ms  "
                  f"p95 {p95:6.1f} ms  errors {errors}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
