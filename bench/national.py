"""Benchmark of the national roll-up (issue 18): many regions in one installation, on
PostgreSQL.

    .venv/bin/python bench/national.py [--deliveries 1000000] [--regions 34]

Creates a database of its own (``ksbb_bench_national``, dropped and made anew) and fills it
(bulk inserts with explicit keys, as bench/dashboard.py: the services would take hours):

- every province's areas but West Java's (32), and ``--regions`` provinces as regions
  (Jakarta the default one); West Java (5,957 villages) is then added with ``ksbb region
  add 32``, timed (target 10 s), so its areas load as they would in a real installation;
- one RW per village (83,762 villages) with a need in one assessment round;
- donors in every region; ``--deliveries`` deliveries spread over the villages, each with
  its pledge share, allocation, delivery, signed BAST and their lines;
- the rollups rebuilt once (the bulk inserts bypass the services that keep them).

Then prints the time of the national page's data (``ksbb.stats.regional.national``: what
``/nasional/`` and ``/api/v1/stats/national/`` show) uncached and cached, of one province's
regencies (the map's drill-down), and of one region's dashboard (Jakarta's, the default) next
to the same dashboard over the whole installation; and checks that the nation is the sum of
the regions. Figures only; the targets are printed next to them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import KINDS, SERVER, _rebuild, _recreate_database  # noqa: E402

BATCH = 20_000
ADDED = "32"  # added at the end with `ksbb region add`: 5,957 villages


def _populate(deliveries: int, region_count: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from ksbb.accounts.models import Organization
    from ksbb.allocation.models import Allocation
    from ksbb.areas.models import Area
    from ksbb.areas.services import known_provinces
    from ksbb.distribution.models import Delivery, DeliveryLine, Handover, HandoverLine
    from ksbb.donations.models import AggregatorProfile, CollaboratorProfile, Item, Pledge
    from ksbb.needs.models import AssessmentRound, Need, Recipient
    from ksbb.regions.models import Region

    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"  {time.perf_counter() - started:7.1f} s  {message}", flush=True)

    call_command("migrate", verbosity=0)
    provinces = sorted(known_provinces())
    # In groups: the audit entry of one load names its provinces in a 100-character column,
    # which every province at once overflows on PostgreSQL.
    wanted = [p for p in provinces if p != ADDED]
    for first in range(0, len(wanted), 8):
        call_command("load_areas", province=wanted[first:first + 8], no_progress=True,
                     verbosity=0)
    say(f"areas of {len(provinces) - 1} provinces loaded")
    # The regions: the first provinces by code (the default, Jakarta, among them), West
    # Java added last through the command.
    names = dict(Area.objects.filter(level=Area.Level.PROVINCE).values_list("code", "name"))
    chosen = [p for p in provinces if p not in ("31", ADDED)][:max(0, region_count - 2)]
    Region.objects.bulk_create(
        Region(code=p, name=f"KSBB {names.get(p, p).title()}", slug=f"provinsi-{p}")
        for p in chosen)
    say(f"{Region.objects.count()} regions before West Java")
    t = time.perf_counter()
    call_command("region", "add", ADDED, "--name", "KSBB Jawa Barat", stdout=io.StringIO())
    region_add_seconds = time.perf_counter() - t
    added = Area.objects.filter(level=Area.Level.VILLAGE, code__startswith=f"{ADDED}.")
    say(f"`ksbb region add {ADDED}` ({added.count():,} villages): "
        f"{region_add_seconds:.1f} s (target 10 s)")

    # One RW per village, and its recipient.
    villages = list(Area.objects.filter(level=Area.Level.VILLAGE).order_by("code")
                    .values_list("code", flat=True))
    for first in range(0, len(villages), BATCH):
        Area.objects.bulk_create(
            Area(code=f"{v}.001", level=Area.Level.RW, name="RW 001", parent_id=v,
                 households=300, population=1200, poor_households=40, is_demo=True)
            for v in villages[first:first + BATCH])
        Recipient.objects.bulk_create(
            Recipient(kind=Recipient.Kind.RW, name=f"RW 001 {v}", area_id=f"{v}.001")
            for v in villages[first:first + BATCH])
    recipients = list(Recipient.objects.order_by("pk").values_list("pk", "area_id"))
    say(f"{len(recipients):,} villages with one RW each")

    sembako = Item.objects.get(code="sembako")
    program = sembako.program
    rnd = AssessmentRound.objects.create(name="Nasional", program=program,
                                         period_start=dt.date(2020, 4, 1),
                                         period_end=dt.date(2021, 12, 31))
    for first in range(0, len(recipients), BATCH):
        Need.objects.bulk_create(Need(round=rnd, recipient_id=pk, item=sembako, quantity=100,
                                      priority=2) for pk, _a in recipients[first:first + BATCH])
    needs = dict(Need.objects.filter(round=rnd).values_list("recipient_id", "pk"))
    say(f"{len(needs):,} needs")

    rng = random.Random(34)
    aggregator = Organization.objects.create(kind="aggregator", name="Agregator Nasional")
    AggregatorProfile.objects.create(organization=aggregator, licence_number="BENCH-N",
                                     licence_valid_until=dt.date(2030, 1, 1))
    executor = Organization.objects.create(kind="executor", name="Pelaksana Nasional")
    regencies = list(Area.objects.filter(level=Area.Level.REGENCY).values_list("code",
                                                                                flat=True))
    collaborators = []
    for n in range(500):
        org = Organization.objects.create(kind="collaborator", name=f"Donatur {n}",
                                          area_id=rng.choice(regencies))
        CollaboratorProfile.objects.create(
            organization=org, collaborator_kind=rng.choices(KINDS, [51, 31, 9, 5, 4])[0],
            contact_email=f"d{n}@bench.invalid")
        collaborators.append(org)

    per_pledge = 10
    pledges = (deliveries + per_pledge - 1) // per_pledge
    start_day = dt.datetime(2020, 4, 6, 9, tzinfo=dt.UTC)
    # A pledge is meant for the village of its first delivery: collected and delivered land
    # in the same region, as when donors give from the map.
    stride = max(1, len(recipients) // max(1, pledges))
    for first in range(0, pledges, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, pledges)):
            when = start_day + dt.timedelta(minutes=i * 7 % (600 * 24 * 60))
            area = recipients[(i * per_pledge * stride) % len(recipients)][1]
            rows.append(Pledge(
                pk=i + 1, collaborator=collaborators[i % len(collaborators)],
                aggregator=aggregator, kind="goods", program=program, item=sembako,
                quantity=50, received_quantity=50, state="completed", received_at=when,
                preferred_area_id=area.rsplit(".", 1)[0]))
        Pledge.objects.bulk_create(rows)
    say(f"{pledges:,} pledges")

    for first in range(0, deliveries, BATCH):
        last = min(first + BATCH, deliveries)
        allocations, deliveries_, lines, handovers, hlines = [], [], [], [], []
        for i in range(first, last):
            pk = i + 1
            recipient, area = recipients[(i * stride) % len(recipients)]
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
                pk=pk, number=f"BAST/PANGAN/{day:%Y/%m}/{pk:07d}", code=f"N{pk:011d}",
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
            say(f"{last:,} deliveries with allocations and BASTs")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _rebuild()
    print(f"== ksbb region add {ADDED}: {region_add_seconds:.1f} s (target 10 s)", flush=True)


def _timed(compute, repeat: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    uncached, cached = [], []
    for _ in range(repeat):
        cache.clear()
        t = time.perf_counter()
        compute()
        uncached.append(time.perf_counter() - t)
    for _ in range(repeat * 10):
        t = time.perf_counter()
        compute()
        cached.append(time.perf_counter() - t)
    return uncached, cached


def _print(label: str, uncached: list[float], cached: list[float], target: str = "") -> None:
    print(f"  {label}:")
    print(f"    uncached: median {statistics.median(uncached) * 1000:.0f} ms, "
          f"min {min(uncached) * 1000:.0f} ms, max {max(uncached) * 1000:.0f} ms "
          f"({len(uncached)} runs){target and '  [target ' + target.split('|')[0] + ']'}")
    print(f"    cached:   median {statistics.median(cached) * 1000:.2f} ms, "
          f"max {max(cached) * 1000:.2f} ms ({len(cached)} runs)"
          f"{target and '  [target ' + target.split('|')[1] + ']'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--regions", type=int, default=34)
    parser.add_argument("--database", default="ksbb_bench_national")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a previous run filled; do not refill it")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="ksbb-bench-national-")
    os.environ.update(KSBB_DATABASE_URL=f"{SERVER}/{args.database}", KSBB_DATA_DIR=data_dir,
                      DJANGO_SETTINGS_MODULE="ksbb.settings", KSBB_LOG_LEVEL="WARNING")
    if not args.reuse:
        _recreate_database(args.database)
    import django

    django.setup()
    if not args.reuse:
        print(f"== populating {args.database}: {args.regions} regions, every village, "
              f"{args.deliveries:,} deliveries", flush=True)
        _populate(args.deliveries, args.regions)

    from ksbb.areas.models import Area
    from ksbb.distribution.models import Handover
    from ksbb.needs.models import Need
    from ksbb.regions.models import Region
    from ksbb.stats.regional import national
    from ksbb.stats.selectors import Filters, dashboard

    whole = national()
    print(f"== {Region.objects.count()} regions, "
          f"{Area.objects.filter(level=Area.Level.VILLAGE).count():,} villages, "
          f"{Need.objects.count():,} needs, {Handover.objects.count():,} signed BASTs")
    print(f"== national: collected Rp {whole.total_collected:,}, delivered Rp "
          f"{whole.delivered_value:,}, {whole.deliveries:,} deliveries, "
          f"{len(whole.places)} provinces on the map")
    parts = [dashboard(Filters(region=r.code)) for r in whole.regions]
    same = (sum(p.total_collected for p in parts) == whole.total_collected
            and sum(p.deliveries for p in parts) == whole.deliveries
            and sum(p.delivered_value for p in parts) == whole.delivered_value)
    print(f"== the nation is the sum of the {len(parts)} regions: {'yes' if same else 'NO'}")
    print("== timings")
    _print("national roll-up (/nasional/ data)", *_timed(national, args.repeat),
           target="<= 200 ms|<= 5 ms")
    _print("national map, one province's regencies (West Java)",
           *_timed(lambda: national(province=ADDED), args.repeat))
    _print("one region's dashboard (Jakarta, the default region: what / shows)",
           *_timed(lambda: dashboard(Filters(region="31")), args.repeat),
           target="no slower than with one region|-")
    _print("one region's dashboard (West Java, 5,957 villages)",
           *_timed(lambda: dashboard(Filters(region=ADDED)), args.repeat))
    _print("the whole installation's dashboard, no region filter (for comparison)",
           *_timed(lambda: dashboard(Filters()), args.repeat))


if __name__ == "__main__":
    main()
