"""Benchmark of a Jakarta-size household list: import, then the reports over all of it.

    .venv/bin/python bench/households.py --db sqlite|postgres [--households 2350000]

Builds a database of its own (a SQLite file in a temporary folder, or ``ksbb_households_bench``
on the local PostgreSQL server, dropped and made anew), loads Jakarta's areas and its 2,705
RWs, writes a CSV of ``--households`` families spread over the RWs (valid KK and NIK
numbers, 0.1 % of NIKs repeated in another RW), and then prints:

- the import through ``households_import`` exactly as the background task runs it (one
  pass over the file, each batch checked and written, one transaction), its rate, the CPU
  time of the importing process and of its PostgreSQL server process, the load average,
  and the peak memory (maximum resident set of a child process that does only the import);
- after a signed BAST per RW and a handout to 90 % of the households (bulk inserts; 1 % of
  them twice, from a second programme's BAST; the counters the services keep are then
  recounted, as the bulk inserts skip the services), the time of the not-reached report
  (``reach_by_rw``, all of Jakarta) and of the twice-received report (``twice_received``,
  all of Jakarta, one month), each the best of three.

Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "ksbb_households_bench"


def _setup_django(url: str, data_dir: str) -> None:
    os.environ["KSBB_DATABASE_URL"] = url
    os.environ["KSBB_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksbb.settings")
    import django

    django.setup()


def _assessor():  # type: ignore[no-untyped-def]
    from ksbb.accounts.models import Organization, Role, User
    from ksbb.accounts.services import membership_grant, organization_create, user_create
    from ksbb.core.domain import SystemActor

    system = SystemActor("bench")

    found = User.objects.filter(username="bench-assessor").first()
    if found:
        return found
    gov = organization_create(kind=Organization.Kind.GOVERNMENT, name="Dinsos", by=system)
    user = user_create(username="bench-assessor", password=None, by=system)
    membership_grant(user=user, role=Role.ASSESSOR, organization=gov, by=system)
    return user


def prepare(households: int, csv_path: Path) -> None:
    """Migrate, load Jakarta, its RWs, and write the household file."""
    from django.core.management import call_command

    from ksbb.areas.models import Area
    from ksbb.areas.services import areas_load_reference, rws_import
    from ksbb.core.domain import SystemActor
    from ksbb.needs.services import recipients_ensure_for_rws
    from ksbb.ops.demo import demo_rw_rows

    system = SystemActor("bench")

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    areas_load_reference(by=system, provinces=["31"])
    rws_import(rows=demo_rw_rows("31"), by=system)
    recipients_ensure_for_rws(by=system)
    _assessor()
    rws = list(Area.objects.filter(level=Area.Level.RW).values_list("code", flat=True))
    print(f"setup: {len(rws)} RWs in {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    rng = random.Random(2350)
    per_rw, extra = divmod(households, len(rws))
    with open(csv_path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["rw_code", "rt", "kk", "nik", "name", "members", "decile"])
        serial = 0
        last_nik = ""
        for index, rw in enumerate(rws):
            district = rw[:8].replace(".", "")
            for _ in range(per_rw + (1 if index < extra else 0)):
                serial += 1
                # Serials run past 9999 per date: vary the date part with the serial.
                day, rest = serial % 28 + 1, serial // 28
                month, rest = rest % 12 + 1, rest // 12
                kk = f"{district}{day:02d}{month:02d}{rest % 20 + 5:02d}{rest // 20 % 9999 + 1:04d}"
                nik_day = day + (40 if serial % 2 else 0)
                nik = f"{district}{nik_day:02d}{month:02d}{rest % 50 + 50:02d}" \
                      f"{rest // 50 % 9999 + 1:04d}"
                if serial % 1000 == 0:  # the same head listed again elsewhere
                    nik = last_nik
                last_nik = nik
                out.writerow([rw, rng.randint(1, 15), kk, nik, f"Kepala Keluarga {serial}",
                              rng.randint(1, 8), rng.randint(1, 10)])
    print(f"file: {households:,} households, {csv_path.stat().st_size / 2**20:.0f} MB, "
          f"written in {time.perf_counter() - t:.1f} s", flush=True)


def run_import(csv_path: Path) -> dict[str, float]:
    """In a child process of its own, so that its peak memory is the import's."""
    from ksbb.core.tables import read_rows
    from ksbb.households.services import COLUMNS, MAX_HOUSEHOLD_ROWS, households_import

    def rows():  # type: ignore[no-untyped-def]
        with open(csv_path, "rb") as fh:
            yield from read_rows(fh, required=COLUMNS, filename=str(csv_path),
                                 max_rows=MAX_HOUSEHOLD_ROWS)

    done = [0]

    def progress(n: int) -> None:
        done[0] += n

    assessor = _assessor()
    server_before = _server_cpu()
    t = time.perf_counter()
    report = households_import(rows=rows, by=assessor, progress=progress)
    seconds = time.perf_counter() - t
    assert report.ok, report.errors[:5]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "rows": report.rows, "created": report.created,
            "flagged": report.flagged_households, "peak_mb": usage.ru_maxrss / 1024,
            # On a shared machine the wall time says little: the CPU time the importing
            # process itself used, and (PostgreSQL) its server process's.
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "server_cpu_seconds": _server_cpu() - server_before,
            "load": os.getloadavg()[0]}


def _server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend process (same machine), or 0."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def add_handouts() -> None:
    """A signed BAST per RW (two per RW: a second programme's) and a handout to 90 % of
    households from the first, 1 % of them again from the second, marked as repeats as
    handout_record marks them. Set-based INSERT ... SELECT: millions of rows in seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ksbb.accounts.models import Organization
    from ksbb.distribution.models import Delivery, Handover
    from ksbb.donations.models import Item
    from ksbb.households.models import Handout, Household
    from ksbb.needs.models import AssessmentRound, Recipient

    t = time.perf_counter()
    from django.core.management import call_command

    call_command("seed_programs", verbosity=0)
    item = Item.objects.get(code="sembako")
    executor = Organization.objects.create(kind=Organization.Kind.EXECUTOR, name="Relawan")
    today = timezone.localdate()
    rnd = AssessmentRound.objects.create(name="Bench", program=item.program,
                                         period_start=today.replace(day=1),
                                         period_end=today + dt.timedelta(days=30))
    recipients = list(Recipient.objects.filter(kind=Recipient.Kind.RW))
    now = timezone.now()
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(
            [Delivery(recipient=r, executor=executor, program=item.program,
                      state=Delivery.State.HANDED_OVER, scheduled_for=today)
             for r in recipients * 2], batch_size=5000)
        basts = Handover.objects.bulk_create(
            [Handover(number=f"system/{i}", code=f"B{i:09d}", delivery=d,
                      program=item.program, state=Handover.State.SIGNED, date=today,
                      area_id=d.recipient.area_id, address="-", signed_at=now)
             for i, d in enumerate(deliveries)], batch_size=5000)
    last_first = basts[len(recipients) - 1].pk
    q = connection.ops.quote_name
    handout, household = q(Handout._meta.db_table), q(Household._meta.db_table)
    bast_rw = (f"SELECT b.id AS bast, r.area_id AS rw FROM {q(Handover._meta.db_table)} b "  # noqa: S608
               f"JOIN {q(Delivery._meta.db_table)} d ON d.id = b.delivery_id "
               f"JOIN {q(Recipient._meta.db_table)} r ON r.id = d.recipient_id "
               f"WHERE b.number LIKE 'system/%%'")
    columns = ("household_id, handover_id, item_id, quantity, round_id, rw_id, kk_hash, "
               "nik_hash, given_on, recorded_at, repeat_match, photo, photo_kind, repeat_of_id")
    stamp = connection.ops.adapt_datetimefield_value(now)
    day = connection.ops.adapt_datefield_value(today)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {handout} ({columns}) SELECT h.id, m.bast, %s, 1, %s, h.rw_id, "  # noqa: S608
            f"h.kk_hash, h.nik_hash, %s, %s, '', '', '', NULL FROM {household} h "
            f"JOIN ({bast_rw}) m ON m.rw = h.rw_id WHERE m.bast <= %s AND h.id %% 10 <> 0",
            [item.pk, rnd.pk, day, stamp, last_first])
        first = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {handout} ({columns}) SELECT h.id, m.bast, %s, 1, %s, h.rw_id, "  # noqa: S608
            f"h.kk_hash, h.nik_hash, %s, %s, 'kk', '', '', (SELECT f.id FROM {handout} f "
            f"WHERE f.household_id = h.id AND f.handover_id <= %s) FROM {household} h "
            f"JOIN ({bast_rw}) m ON m.rw = h.rw_id "
            f"WHERE m.bast > %s AND h.id %% 100 = 1",
            [item.pk, rnd.pk, day, stamp, last_first, last_first])
        second = cursor.rowcount
        cursor.execute("ANALYZE")
    print(f"handouts: {first + second:,} ({second:,} a second time) on {len(basts):,} "
          f"BASTs in {time.perf_counter() - t:.1f} s", flush=True)
    recount_tallies()


def recount_tallies() -> None:
    """The bulk inserts above skip handout_record, which keeps the counters the reports
    read: set them from a recount, as the migration does."""
    from django.db import transaction

    from ksbb.households import tallies

    t = time.perf_counter()
    with transaction.atomic():
        tallies.rebuild()
    print(f"counters recounted in {time.perf_counter() - t:.1f} s", flush=True)


def mark_repeats() -> None:
    """What handout_record marks when it records a second handout of the same item to the
    same KK (bulk inserts skip the service): the bench's second BAST per RW."""
    from django.db import connection
    from django.db.models import OuterRef, Subquery

    from ksbb.distribution.models import Handover
    from ksbb.households.models import Handout

    t = time.perf_counter()
    second = Handover.objects.filter(number__startswith="system/").order_by("pk")
    half = second.count() // 2
    ids = list(second.values_list("pk", flat=True))
    first_ids, second_ids = ids[:half], ids[half:]
    marked = Handout.objects.filter(handover_id__in=second_ids).update(
        repeat_match="kk", repeat_of=Subquery(Handout.objects.filter(
            household=OuterRef("household"), handover_id__in=first_ids).values("pk")[:1]))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"repeats marked: {marked:,} in {time.perf_counter() - t:.1f} s", flush=True)


def time_reports() -> None:
    from django.utils import timezone

    from ksbb.households.selectors import reach_by_rw, twice_received
    from ksbb.needs.models import AssessmentRound

    user = _assessor()
    rnd = AssessmentRound.objects.get(name="Bench")
    today = timezone.localdate()

    def best(fn):  # type: ignore[no-untyped-def]
        times = []
        result = None
        for _ in range(3):
            t = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t)
        return min(times), result

    seconds, rows = best(lambda: reach_by_rw(round=rnd, user=user))
    listed = sum(r.listed for r in rows)
    reached = sum(r.reached for r in rows)
    print(f"not-reached report (reach_by_rw, all Jakarta): {seconds:.2f} s, {len(rows)} RWs, "
          f"{listed:,} listed, {reached:,} reached, {listed - reached:,} not reached",
          flush=True)
    seconds, (groups, total) = best(lambda: twice_received(
        date_from=today - dt.timedelta(days=30), date_to=today, user=user))
    print(f"twice-received report (all Jakarta, 30 days): {seconds:.2f} s, {total:,} groups "
          f"({len(groups)} shown with their handouts)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--households", type=int, default=2_350_000)
    parser.add_argument("--phase", default="all", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--data", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "import":
        _setup_django(args.url, args.data)
        print(json.dumps(run_import(Path(args.data) / "households.csv")))
        return
    if args.phase == "reports":  # again, on a database a previous run left
        _setup_django(args.url, args.data)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from ksbb.households.models import Handout

        if Handout.objects.exists():
            mark_repeats()
            recount_tallies()
        else:
            add_handouts()
        time_reports()
        return

    tmp = tempfile.mkdtemp(prefix="ksbb-hh-bench-")
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')
        url = f"{SERVER}/{PG_NAME}"
    else:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    print(f"database: {args.db}; data folder {tmp}", flush=True)
    _setup_django(url, tmp)
    csv_path = Path(tmp) / "households.csv"
    prepare(args.households, csv_path)
    from django.db import connections

    connections.close_all()
    child = subprocess.run(
        [sys.executable, __file__, "--phase", "import", "--url", url, "--data", tmp],
        check=True, capture_output=True, text=True)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"import: {figures['rows']:,} rows in {figures['seconds']:.1f} s = "
          f"{figures['rows'] / figures['seconds']:,.0f} rows/s (CPU time of the importing "
          f"process {figures['cpu_seconds']:.0f} s, of its database server process "
          f"{figures['server_cpu_seconds']:.0f} s; load average {figures['load']:.1f}); "
          f"peak memory (max RSS of the "
          f"importing process) {figures['peak_mb']:.0f} MB; {figures['flagged']:,} "
          f"households flagged", flush=True)
    add_handouts()
    time_reports()


if __name__ == "__main__":
    main()
