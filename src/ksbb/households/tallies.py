"""Counters of households per RW and per round, kept by the services (as the dashboard's
ledger is): every write that changes what ``recount`` would return adds its change here in
the same transaction. The reports and public figures then read a few thousand rows for all
of Jakarta instead of counting millions of households and handouts on each request.

``recount`` is the definition (what the counters must always equal, tested with random
operations); ``rebuild`` sets the counters from it (the migration, bulk loads, repairs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import Count

from ksbb.households.models import Handout, Household, RoundRwTally, RwTally

RwCounts = dict[str, tuple[int, int, int]]  # rw -> (households, listed, reached)
RoundCounts = dict[tuple[int, str], int]  # (round, rw) -> reached


def add_rw(changes: Mapping[str, tuple[int, int, int]]) -> None:
    """Add (households, listed, reached) to each RW's counters, creating missing rows.
    One upsert per RW; ``ON CONFLICT`` reads the same on SQLite and PostgreSQL and adds
    atomically, so two phones recording at once never lose a count."""
    rows = [(rw, h, ls, r) for rw, (h, ls, r) in changes.items() if h or ls or r]
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(RwTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (rw_id, households, listed, reached) VALUES (%s, %s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (rw_id) DO UPDATE SET households = {table}.households + "
            f"excluded.households, listed = {table}.listed + excluded.listed, "
            f"reached = {table}.reached + excluded.reached", rows)


def add_round(round_id: int, rw: str, reached: int) -> None:
    if not reached:
        return
    table = connection.ops.quote_name(RoundRwTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (round_id, rw_id, reached) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (round_id, rw_id) DO UPDATE SET reached = {table}.reached + "
            f"excluded.reached", [round_id, rw, reached])


def recount() -> tuple[RwCounts, RoundCounts]:
    """The counters from the households and handouts themselves (only RWs and rounds with
    something to count)."""
    per_rw: dict[str, list[int]] = {}
    for rw, status, n in (Household.objects.values_list("rw_id", "status")
                          .annotate(n=Count("*")).order_by()):
        counts = per_rw.setdefault(rw, [0, 0, 0])
        counts[0] += n
        if status == Household.Status.ACTIVE:
            counts[1] += n
    for rw, n in (Handout.objects.values_list("rw_id")
                  .annotate(n=Count("household_id", distinct=True)).order_by()):
        per_rw.setdefault(rw, [0, 0, 0])[2] = n
    rounds = {(rnd, rw): n for rnd, rw, n in (
        Handout.objects.filter(round__isnull=False).values_list("round_id", "rw_id")
        .annotate(n=Count("household_id", distinct=True)).order_by())}
    return {rw: (c[0], c[1], c[2]) for rw, c in per_rw.items()}, rounds


def stored() -> tuple[RwCounts, RoundCounts]:
    """The counters as kept, without the rows that count nothing."""
    rws = {rw: (h, ls, r) for rw, h, ls, r in RwTally.objects.values_list(
        "rw_id", "households", "listed", "reached") if h or ls or r}
    rounds = {(rnd, rw): n for rnd, rw, n in RoundRwTally.objects.values_list(
        "round_id", "rw_id", "reached") if n}
    return rws, rounds


def rebuild() -> None:
    """Set every counter from ``recount`` (inside the caller's transaction)."""
    rws, rounds = recount()
    RwTally.objects.all().delete()
    RoundRwTally.objects.all().delete()
    RwTally.objects.bulk_create([RwTally(rw_id=rw, households=h, listed=ls, reached=r)
                                 for rw, (h, ls, r) in rws.items()], batch_size=2000)
    RoundRwTally.objects.bulk_create([RoundRwTally(round_id=rnd, rw_id=rw, reached=n)
                                      for (rnd, rw), n in rounds.items()], batch_size=2000)


def rws_with_households(codes: Iterable[str] | None = None) -> set[str]:
    qs = RwTally.objects.filter(households__gt=0)
    if codes is not None:
        qs = qs.filter(rw_id__in=list(codes))
    return set(qs.values_list("rw_id", flat=True))
