"""Writes for household lists and handouts. Each one checks the actor's right with
``may`` (ksbb.core.domain: a superuser is not a ketua RW), runs in one transaction and writes an
audit entry that names the household by id only, with counts and field names, never a
name or a number (the audit log is public to those who verify it and is never rewritten).
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.areas.models import Area
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, WrongState, is_user, may
from ksbb.core.tables import HostileContent, RowError, TableError, read_rows
from ksbb.distribution.files import BadUpload, check_photo
from ksbb.distribution.models import Handover, HandoverLine
from ksbb.donations.models import Item
from ksbb.households import identity, tallies
from ksbb.households.models import Handout, Household, HouseholdImport
from ksbb.needs.models import AssessmentRound
from ksbb.needs.services import needs_derive_from_poverty
from ksbb.regions.selectors import (
    actor_region_keys,
    actor_regions_filter,
    area_filter,
    region_key_of,
    region_row,
)

Rows = Iterable[tuple[int, dict[str, str]]]
Progress = Callable[[int], None]

COLUMNS = ["rw_code", "rt", "kk", "nik", "name", "members"]  # and optionally "decile"
# Jakarta has 2.35 million families; a national file is split per province.
MAX_HOUSEHOLD_ROWS = 5_000_000
MAX_ERRORS_KEPT = 1000
BATCH = 5000
MAX_RT = 999
MAX_MEMBERS = 99


def _require(by: Actor, perm: str, obj: Any = None, *, system: bool = False) -> None:
    # may(): no superuser shortcut, so a platform administrator is not a ketua RW.
    if not may(by, perm, obj, system=system):
        raise NotAllowed(_("You are not allowed to do this."))


# Checking one household ------------------------------------------------------------------

@dataclass(frozen=True)
class Parsed:
    row: int
    rw: str
    rt: int
    kk: str
    nik: str
    name: str
    members: int
    decile: int | None


def _small_int(text: str, *, low: int, high: int) -> int | None:
    value = (text or "").strip().removesuffix(".0")
    if not value.isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


def check_fields(values: dict[str, str], *, districts: frozenset[str], rws: set[str],
                 today: dt.date) -> tuple[Parsed | None, dict[str, str]]:
    """The household of one row or form, or {field: why not}. The same checks for the
    import and for the ketua RW's form."""
    errors: dict[str, str] = {}
    rw = (values.get("rw_code") or "").strip()
    if rw not in rws:
        errors["rw_code"] = _("%(value)r is not a known RW code such as 31.71.01.1001.003") % {
            "value": rw}
    rt = _small_int(values.get("rt", ""), low=1, high=MAX_RT)
    if rt is None:
        errors["rt"] = _("%(value)r is not an RT number from 1 to %(max)s") % {
            "value": values.get("rt", ""), "max": MAX_RT}
    kk = identity.normalise(values.get("kk", ""))
    problem = identity.check_kk(kk, districts, today=today)
    if problem:
        errors["kk"] = problem
    nik = identity.normalise(values.get("nik", ""))
    problem = identity.check_nik(nik, districts, today=today)
    if problem:
        errors["nik"] = problem
    name = " ".join((values.get("name") or "").split())
    if not name:
        errors["name"] = _("the name of the head of household is required")
    elif len(name) > 200:
        errors["name"] = _("the name is longer than 200 characters")
    members = _small_int(values.get("members", ""), low=1, high=MAX_MEMBERS)
    if members is None:
        errors["members"] = _("%(value)r is not a number of members from 1 to %(max)s") % {
            "value": values.get("members", ""), "max": MAX_MEMBERS}
    decile_text = (values.get("decile") or "").strip()
    decile = None
    if decile_text:
        decile = _small_int(decile_text, low=1, high=10)
        if decile is None:
            errors["decile"] = _("%(value)r is not a welfare decile from 1 to 10") % {
                "value": decile_text}
    if errors:
        return None, errors
    assert rt is not None and members is not None
    return Parsed(0, rw, rt, kk, nik, name, members, decile), {}


def _rw_codes(by: Actor | None = None) -> set[str]:
    """Every RW; for a person, those of the regions where they hold a government role
    (Bandung's assessor lists no household in Jakarta)."""
    rws = Area.objects.filter(level=Area.Level.RW)
    if by is not None and is_user(by) and actor_region_keys(by):
        rws = rws.filter(actor_regions_filter(by, area="code"))
    return set(rws.values_list("code", flat=True))


# The import ------------------------------------------------------------------------------

@dataclass
class HouseholdImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Rows flagged (imported, for the assessor to resolve): row numbers, first ones.
    duplicate_rows: list[int] = field(default_factory=list)
    duplicate_count: int = 0
    wrong_rw_count: int = 0
    flagged_households: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "error_count": self.error_count,
                "errors": [{"row": e.row, "field": e.field, "message": e.message}
                           for e in self.errors],
                "duplicate_rows": self.duplicate_rows, "duplicate_count": self.duplicate_count,
                "wrong_rw_count": self.wrong_rw_count,
                "flagged_households": self.flagged_households}


def _duplicate_rows(numbers: array[int], rows: array[int]) -> tuple[list[int], int]:
    """Rows whose number (as an integer) appears more than once, and how many such rows."""
    import numpy as np

    if not numbers:
        return [], 0
    keys = np.frombuffer(numbers, dtype=np.uint64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]
    mask = np.zeros(len(ordered), dtype=bool)
    mask[1:] |= same
    mask[:-1] |= same
    hits = np.frombuffer(rows, dtype=np.uint32)[order[mask]]
    hits.sort()
    return [int(r) for r in hits[:MAX_ERRORS_KEPT]], int(mask.sum())


class _Discard(Exception):
    """Rolls the import's transaction back once a bad row has been found."""


def households_validate(rows: Rows, *, progress: Progress | None = None,
                        report: HouseholdImportReport | None = None) -> HouseholdImportReport:
    """Every row checked, nothing written (the same checks as the import)."""
    report = report or HouseholdImportReport()
    _Pass(report, write=False, import_id=None, progress=progress).run(rows)
    return report


class _Pass:
    """One pass over the rows: each batch checked, and written while no row has failed.

    Only what finds duplicates in the file is kept across batches (the numbers as 64-bit
    integers, 16 bytes a row), so a province's list fits in memory. The caller's
    transaction makes it all or nothing: a bad row anywhere rolls back what was written.
    Reading the file once (not once to check and once to write) halves the parsing, which
    is most of the import's own CPU time."""

    def __init__(self, report: HouseholdImportReport, *, write: bool, import_id: int | None,
                 progress: Progress | None, by: Actor | None = None) -> None:
        self.report, self.write, self.import_id, self.progress = (report, write, import_id,
                                                                  progress)
        self.districts, self.rws = identity.known_districts(), _rw_codes(by)
        self.today = timezone.localdate()
        self.kks, self.niks, self.numbers = array("Q"), array("Q"), array("I")
        # RWs that had households before: only their rows may update an existing one.
        self.had_households = tallies.rws_with_households() if write else set()
        self.created: dict[str, int] = defaultdict(int)
        self.now = timezone.now()
        self.stamp = connection.ops.adapt_datetimefield_value(self.now)

    def run(self, rows: Rows) -> None:
        report = self.report
        for batch in _batches(rows, BATCH):
            parsed: list[Parsed] = []
            for number, values in batch:
                p, errors = check_fields(values, districts=self.districts, rws=self.rws,
                                         today=self.today)
                if errors:
                    report.error_count += len(errors)
                    for name, message in errors.items():
                        if len(report.errors) < MAX_ERRORS_KEPT:
                            report.errors.append(RowError(number, name, message))
                    continue
                assert p is not None
                self.kks.append(int(p.kk))
                self.niks.append(int(p.nik))
                self.numbers.append(number)
                if p.kk[:6] != identity.district_of_rw(p.rw):
                    report.wrong_rw_count += 1
                parsed.append(p)
            report.rows += len(batch)
            if self.write and report.ok:
                self._write(parsed)
            if self.progress:
                self.progress(len(batch))
        kk_rows, kk_count = _duplicate_rows(self.kks, self.numbers)
        nik_rows, nik_count = _duplicate_rows(self.niks, self.numbers)
        report.duplicate_rows = sorted(set(kk_rows) | set(nik_rows))[:MAX_ERRORS_KEPT]
        report.duplicate_count = kk_count + nik_count
        if self.write and report.ok:
            tallies.add_rw({rw: (n, n, 0) for rw, n in self.created.items()})

    def _write(self, parsed: list[Parsed]) -> None:
        """Hashes computed a batch at a time, new households inserted in bulk; a household
        already listed in the same RW with the same KK is updated (a list imported again),
        never duplicated."""
        report, import_id, stamp = self.report, self.import_id, self.stamp
        kk_hashes = identity.keyed_hashes("kk", (p.kk for p in parsed))
        nik_hashes = identity.keyed_hashes("nik", (p.nik for p in parsed))
        existing: dict[tuple[str, str], Household] = {}
        known = {h for p, h in zip(parsed, kk_hashes, strict=True) if p.rw in self.had_households}
        if known:
            for household in Household.objects.filter(kk_hash__in=known).only(
                    *[f for f in _UPDATED_FIELDS if f != "household_import"], "rw", "kk_hash",
                    "household_import_id"):
                existing.setdefault((household.rw_id, household.kk_hash), household)
        new: list[tuple[Any, ...]] = []
        changed: list[Household] = []
        for p, kk_hash, nik_hash in zip(parsed, kk_hashes, nik_hashes, strict=True):
            wrong_rw = p.kk[:6] != identity.district_of_rw(p.rw)
            current = existing.pop((p.rw, kk_hash), None) if existing else None
            if current is None:
                # In the order of _INSERTED_FIELDS.
                new.append((p.rw, p.rt, kk_hash, nik_hash, identity.mask(p.kk),
                            identity.mask(p.nik), p.name, p.members, p.decile,
                            "active", "", "import", False, False, wrong_rw, "", import_id,
                            stamp, stamp))
                self.created[p.rw] += 1
                continue
            now_values = (p.rt, nik_hash, p.name, p.members, p.decile, wrong_rw)
            if now_values == (current.rt, current.nik_hash, current.head_name, current.members,
                              current.decile, current.wrong_rw):
                report.unchanged += 1
                continue
            current.rt, current.nik_hash, current.nik_masked = p.rt, nik_hash, identity.mask(
                p.nik)
            current.head_name, current.members, current.decile = p.name, p.members, p.decile
            current.wrong_rw, current.household_import_id = wrong_rw, import_id
            current.updated_at = self.now
            changed.append(current)
        _insert(new)
        if changed:
            Household.objects.bulk_update(changed, _UPDATED_FIELDS, batch_size=1000)
        report.created += len(new)
        report.updated += len(changed)


def _batches(rows: Rows, size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_UPDATED_FIELDS = ["rt", "nik_hash", "nik_masked", "head_name", "members", "decile",
                   "wrong_rw", "household_import", "updated_at"]
_INSERTED_FIELDS = ["rw", "rt", "kk_hash", "nik_hash", "kk_masked", "nik_masked", "head_name",
                    "members", "decile", "status", "status_reason", "source", "duplicate_kk",
                    "duplicate_nik", "wrong_rw", "flags_resolution", "household_import",
                    "created_at", "updated_at"]


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Plain multi-row inserts (COPY on PostgreSQL) of tuples in the order of
    _INSERTED_FIELDS: bulk_create spends most of a province's import building model
    instances and compiling SQL value by value."""
    if not rows:
        return
    meta = Household._meta
    columns = [str(meta.get_field(name).column)  # type: ignore[union-attr]
               for name in _INSERTED_FIELDS]
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


@contextmanager
def _bulk_load() -> Iterator[bool]:
    """For a first list into an empty table (a province at once): its secondary indexes
    are dropped and built again after the rows are in, inside the import's transaction.
    Sorting once is several times cheaper than millions of inserts at random places in
    the two hash indexes, which is most of the database's work otherwise. Yields whether
    it did; a table that has rows keeps its indexes (other pages read them meanwhile)."""
    if Household.objects.exists():
        yield False
        return
    table = Household._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [table])
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name = %s AND sql IS NOT NULL", [table])
        indexes = list(cursor.fetchall())
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()[0]
            # The import connection only, restored after: room for the index sorts.
            cursor.execute("PRAGMA cache_size = -131072")
        else:
            # This transaction only: the index builds sort in memory; the foreign keys
            # (deferred to the commit in Django) checked at the end of each COPY instead
            # of millions of queued checks, which would also forbid CREATE INDEX.
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"PRAGMA cache_size = {int(cache)}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Back to Django's own: every deferrable constraint here is initially deferred.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _name, sql in indexes:
            cursor.execute(sql)
        # Fresh statistics for the reports that read the new rows next.
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def flag_duplicates() -> int:
    """Flag every active household whose KK or NIK hash another active household shares,
    in any RW. Flags are only raised here; the assessor clears them (resolve_flags)."""
    flagged = 0
    for hash_field, flag in (("kk_hash", "duplicate_kk"), ("nik_hash", "duplicate_nik")):
        shared = (Household.objects.filter(status=Household.Status.ACTIVE)
                  .values(hash_field).annotate(n=Count("pk")).filter(n__gt=1)
                  .values(hash_field))
        flagged += Household.objects.filter(
            status=Household.Status.ACTIVE, **{flag: False},
            **{f"{hash_field}__in": Subquery(shared)}).update(
                **{flag: True}, flags_resolved_at=None)
    return flagged


def flag_duplicates_of(household: Household) -> int:
    """The same as flag_duplicates for one household's two hashes: index lookups, not a
    pass over the whole table, for the ketua RW's one-household changes."""
    flagged = 0
    for hash_field, flag in (("kk_hash", "duplicate_kk"), ("nik_hash", "duplicate_nik")):
        same = Household.objects.filter(status=Household.Status.ACTIVE,
                                        **{hash_field: getattr(household, hash_field)})
        if same.count() > 1:
            flagged += same.filter(**{flag: False}).update(**{flag: True},
                                                          flags_resolved_at=None)
    return flagged


def households_import(*, rows: Callable[[], Rows], by: Actor, progress: Progress | None = None,
                      import_id: int | None = None) -> HouseholdImportReport:
    """All or nothing, in one transaction and one pass over ``rows`` (a callable, so a
    list of millions of rows streams from the file instead of sitting in memory)."""
    _require(by, "households.import_list", system=True)
    report = HouseholdImportReport()
    try:
        with transaction.atomic():
            with _bulk_load():
                _Pass(report, write=True, import_id=import_id, progress=progress,
                      by=by).run(rows())
                if not report.ok:
                    raise _Discard
            report.flagged_households = flag_duplicates()
            audit_log(actor=by, action="households.imported", object_type="households.import",
                      object_id=str(import_id or 0), after={
                          "rows": report.rows, "created": report.created,
                          "updated": report.updated, "unchanged": report.unchanged,
                          "duplicate_rows": report.duplicate_count,
                          "wrong_rw": report.wrong_rw_count,
                          "flagged": report.flagged_households})
    except _Discard:
        report.created = report.updated = report.unchanged = 0
    return report


def _progress_key(import_id: int) -> str:
    return f"households:import:{import_id}:done"


def import_progress(job: HouseholdImport) -> int:
    """Rows done so far. The import writes in one transaction, so its row's progress is not
    seen by others until the end: the running count goes through the cache meanwhile."""
    from django.core.cache import cache

    if job.is_finished:
        return job.progress_done
    return max(job.progress_done, int(cache.get(_progress_key(job.pk)) or 0))


def _count_rows(job: HouseholdImport) -> int:
    """The progress bar's end. A CSV: its lines, counted as bytes in C (a quoted line
    break makes it an estimate, which a progress bar can live with); an XLSX: its rows."""
    if not (job.file.name or "").lower().endswith(".xlsx"):
        lines = 0
        with job.file.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - 1, 0)
    with job.file.open("rb") as fh:
        return sum(1 for _row in read_rows(fh, required=COLUMNS, filename=job.file.name,
                                           max_rows=MAX_HOUSEHOLD_ROWS))


def household_import_run(*, import_id: int) -> HouseholdImport:
    """The body of the background task: one pass over the stored file, with progress."""
    from django.core.cache import cache

    job = HouseholdImport.objects.select_related("created_by").get(pk=import_id)
    if job.is_finished:
        return job
    HouseholdImport.objects.filter(pk=job.pk).update(state=HouseholdImport.State.RUNNING)
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        cache.set(_progress_key(job.pk), done, 3600)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with job.file.open("rb") as fh:
            yield from read_rows(fh, required=COLUMNS, filename=job.file.name,
                                 max_rows=MAX_HOUSEHOLD_ROWS)

    try:
        HouseholdImport.objects.filter(pk=job.pk).update(progress_total=_count_rows(job))
        report = households_import(rows=rows, by=job.created_by, progress=progress,
                                   import_id=job.pk)
        state = HouseholdImport.State.DONE if report.ok else HouseholdImport.State.FAILED
        result = report.as_json()
    except HostileContent as exc:
        state = HouseholdImport.State.FAILED
        result = HouseholdImportReport(error_count=len(exc.errors),
                                       errors=exc.errors[:MAX_ERRORS_KEPT]).as_json()
    except (TableError, PermissionDenied) as exc:
        state = HouseholdImport.State.FAILED
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        result = HouseholdImportReport(error_count=1,
                                       errors=[RowError(0, "", message)]).as_json()
    except Exception:
        HouseholdImport.objects.filter(pk=job.pk).update(
            state=HouseholdImport.State.FAILED, finished_at=timezone.now(),
            report=HouseholdImportReport(error_count=1, errors=[RowError(0, "", _(
                "the import stopped on an unexpected error; the team has been told"))]
            ).as_json())
        raise
    finally:
        _forget_file(job)
    HouseholdImport.objects.filter(pk=job.pk).update(state=state, report=result,
                                                     progress_done=done,
                                                     finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _forget_file(job: HouseholdImport) -> None:
    """The uploaded list holds NIKs and KKs in clear: gone once read, success or not, so
    that neither the media folder nor a backup of it keeps them."""
    if job.file:
        job.file.delete(save=False)
        HouseholdImport.objects.filter(pk=job.pk).update(file="")


# The ketua RW's corrections --------------------------------------------------------------

def _flag_new(household: Household, p: Parsed, kk_hash: str, nik_hash: str) -> None:
    others = Household.objects.filter(status=Household.Status.ACTIVE).exclude(pk=household.pk)
    household.duplicate_kk = household.duplicate_kk or others.filter(kk_hash=kk_hash).exists()
    household.duplicate_nik = household.duplicate_nik or others.filter(
        nik_hash=nik_hash).exists()
    household.wrong_rw = p.kk[:6] != identity.district_of_rw(p.rw)
    if household.duplicate_kk or household.duplicate_nik or household.wrong_rw:
        household.flags_resolved_at = None


def _validated(values: dict[str, str]) -> Parsed:
    parsed, errors = check_fields(values, districts=identity.known_districts(),
                                  rws=set(Area.objects.filter(
                                      code=values.get("rw_code", ""),
                                      level=Area.Level.RW).values_list("code", flat=True)),
                                  today=timezone.localdate())
    if errors:
        raise Invalid({k: [v] for k, v in errors.items()})
    assert parsed is not None
    return parsed


def household_add(*, rw: Area, rt: int | str, kk: str, nik: str, name: str,
                  members: int | str, decile: int | str | None = None, by: Actor) -> Household:
    """The ketua RW lists a household the government list missed (same checks)."""
    _require(by, "households.edit_household", rw)
    p = _validated({"rw_code": rw.code, "rt": str(rt), "kk": kk, "nik": nik, "name": name,
                    "members": str(members), "decile": "" if decile is None else str(decile)})
    kk_hash, nik_hash = identity.keyed_hash("kk", p.kk), identity.keyed_hash("nik", p.nik)
    with transaction.atomic():
        household = Household(rw_id=p.rw, rt=p.rt, kk_hash=kk_hash, nik_hash=nik_hash,
                              kk_masked=identity.mask(p.kk), nik_masked=identity.mask(p.nik),
                              head_name=p.name, members=p.members, decile=p.decile,
                              source=Household.Source.MANUAL)
        _flag_new(household, p, kk_hash, nik_hash)
        household.save()
        tallies.add_rw({household.rw_id: (1, 1, 0)})
        flag_duplicates_of(household)
        audit_log(actor=by, action="household.added", object_type="households.household",
                  object_id=str(household.pk), after={"rw": p.rw, "flagged": household.is_flagged})
    return household


def household_correct(*, household: Household, by: Actor, rt: int | str, name: str,
                      members: int | str, decile: int | str | None = None, kk: str = "",
                      nik: str = "") -> Household:
    """Correct a household; KK and NIK only when typed again (they are not stored)."""
    _require(by, "households.edit_household", household)
    with transaction.atomic():
        current = Household.objects.select_for_update().get(pk=household.pk)
        changed: list[str] = []
        values = {"rw_code": current.rw_id, "rt": str(rt), "name": name,
                  "members": str(members), "decile": "" if decile is None else str(decile)}
        # Unchanged numbers are checked with a stand-in that passes; only typed ones count.
        stand_in = current.rw_id[:8].replace(".", "") + "0101010001"
        values["kk"] = kk or stand_in
        values["nik"] = nik or stand_in
        p = _validated(values)
        for name_, new in (("rt", p.rt), ("head_name", p.name), ("members", p.members),
                           ("decile", p.decile)):
            if getattr(current, name_) != new:
                setattr(current, name_, new)
                changed.append(name_)
        kk_hash, nik_hash = current.kk_hash, current.nik_hash
        if kk:
            kk_hash = identity.keyed_hash("kk", p.kk)
            if kk_hash != current.kk_hash:
                current.kk_hash, current.kk_masked = kk_hash, identity.mask(p.kk)
                current.wrong_rw = p.kk[:6] != identity.district_of_rw(current.rw_id)
                changed += ["kk", "wrong_rw"]
        if nik:
            nik_hash = identity.keyed_hash("nik", p.nik)
            if nik_hash != current.nik_hash:
                current.nik_hash, current.nik_masked = nik_hash, identity.mask(p.nik)
                changed.append("nik")
        if changed:
            current.save()
            flag_duplicates_of(current)
            # Field names only: the values are personal data.
            audit_log(actor=by, action="household.corrected",
                      object_type="households.household", object_id=str(current.pk),
                      after={"fields": sorted(changed)})
    return current


def household_set_status(*, household: Household, status: str, reason: str,
                         by: Actor) -> Household:
    """Mark a household as moved or deceased (or back to living here), with a reason."""
    _require(by, "households.edit_household", household)
    reason = " ".join((reason or "").split())
    if status not in Household.Status.values:
        raise Invalid(_("%(value)r is not a household status") % {
            "value": status}, field="status")
    if not reason:
        raise Invalid(_("give the reason for the change"), field="reason")
    if len(reason) > 300:
        raise Invalid(_("the reason is longer than 300 characters"), field="reason")
    with transaction.atomic():
        current = Household.objects.select_for_update().get(pk=household.pk)
        before = current.status
        current.status, current.status_reason = status, reason
        current.save(update_fields=["status", "status_reason", "updated_at"])
        active = Household.Status.ACTIVE
        if (before == active) != (status == active):
            tallies.add_rw({current.rw_id: (0, 1 if status == active else -1, 0)})
        if status == Household.Status.ACTIVE:
            flag_duplicates_of(current)
        # The reason stays on the record (it may name people), not in the log.
        audit_log(actor=by, action="household.status_changed",
                  object_type="households.household", object_id=str(current.pk),
                  before={"status": before}, after={"status": status})
    return current


def household_resolve_flags(*, household: Household, resolution: str, by: Actor) -> Household:
    """The assessor has looked at a flagged household (duplicate, wrong RW) and says why it
    stays, or has asked the ketua RW to mark it moved."""
    _require(by, "households.resolve_flags", household)
    resolution = " ".join((resolution or "").split())
    if not resolution:
        raise Invalid(_("say how the check was resolved"), field="resolution")
    with transaction.atomic():
        current = Household.objects.select_for_update().get(pk=household.pk)
        current.flags_resolved_at = timezone.now()
        current.flags_resolution = resolution[:300]
        current.save(update_fields=["flags_resolved_at", "flags_resolution", "updated_at"])
        audit_log(actor=by, action="household.flags_resolved",
                  object_type="households.household", object_id=str(current.pk),
                  after={"duplicate_kk": current.duplicate_kk,
                         "duplicate_nik": current.duplicate_nik,
                         "wrong_rw": current.wrong_rw})
    return current


# Handing out -----------------------------------------------------------------------------

def bast_items(handover: Handover) -> dict[int, int]:
    """Item id -> quantity the BAST handed over to the RW."""
    return {row["item_id"]: row["total"] for row in HandoverLine.objects.filter(
        handover=handover).values("item_id").annotate(total=Sum("quantity"))}


def bast_given(handover: Handover) -> dict[int, int]:
    """Item id -> quantity already handed out to households from this BAST."""
    return {row["item_id"]: row["total"] for row in Handout.objects.filter(
        handover=handover).values("item_id").annotate(total=Sum("quantity"))}


def bast_round(handover: Handover) -> AssessmentRound | None:
    return AssessmentRound.objects.filter(
        needs__allocations__delivery_lines__delivery_id=handover.delivery_id).first()


def _open_for_handouts(handover: Handover) -> None:
    if handover.state != Handover.State.SIGNED:
        raise WrongState(_(
            "households can be recorded only after the BAST is signed"), field="handover")
    if handover.is_superseded:
        raise WrongState(_(
            "this BAST was corrected; record handouts on the correction"), field="handover")


def handout_record(*, handover: Handover, household: Household, by: Actor,
                   quantity: int = 1, item: Item | None = None) -> Handout:
    """One tap: ``household`` received ``quantity`` of the BAST's item. The BAST row is
    locked while the sum is checked, so two phones tapping at once never hand out more
    than the BAST delivered."""
    _require(by, "households.record_handout", handover)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise Invalid(_("the quantity must be a whole number above 0"), field="quantity")
    with transaction.atomic():
        # PostgreSQL: the row lock serialises taps on one BAST. SQLite: the write
        # transaction (BEGIN IMMEDIATE) already does.
        locked = Handover.objects.select_for_update().select_related(
            "delivery__recipient").get(pk=handover.pk)
        _open_for_handouts(locked)
        # Locked too: taps on two BASTs for one household count it reached once.
        current = Household.objects.select_for_update().get(pk=household.pk)
        if current.rw_id != locked.delivery.recipient.area_id:
            raise WrongState(_("this household is not on this RW's list"), field="household")
        if current.status != Household.Status.ACTIVE:
            raise WrongState(_(
                "this household is marked as moved or deceased"), field="household")
        delivered = bast_items(locked)
        if item is None:
            if len(delivered) != 1:
                raise Invalid(_("choose the aid item"), field="item")
            item_id = next(iter(delivered))
        else:
            item_id = item.pk
        if item_id not in delivered:
            raise Invalid(_("this BAST did not hand over that item"), field="item")
        if Handout.objects.filter(household=current, handover=locked,
                                  item_id=item_id).exists():
            raise WrongState(_(
                "this household is already recorded for this BAST"), field="household")
        given = bast_given(locked).get(item_id, 0)
        left = delivered[item_id] - given
        if quantity > left:
            raise Invalid(_(
                "only %(left)s left of the %(total)s this BAST delivered") % {
                    "left": left, "total": delivered[item_id]}, field="quantity")
        rnd = bast_round(locked)
        earlier, match = _received_before(item_id, current.kk_hash, current.nik_hash)
        before = Handout.objects.filter(household=current)
        if not before.exists():
            tallies.add_rw({current.rw_id: (0, 0, 1)})
        if rnd is not None and not before.filter(round=rnd).exists():
            tallies.add_round(rnd.pk, current.rw_id, 1)
        handout = Handout.objects.create(
            household=current, handover=locked, item_id=item_id, quantity=quantity,
            repeat_of=earlier, repeat_match=match,
            round=rnd, rw_id=current.rw_id, kk_hash=current.kk_hash,
            nik_hash=current.nik_hash, given_on=timezone.localdate(),
            recorded_by=by if is_user(by) else None)
        audit_log(actor=by, action="handout.recorded", obj=handout, after={
            "handover": locked.pk, "household": current.pk, "item": item_id,
            "quantity": quantity})
    return handout


def _received_before(item_id: int, kk_hash: str, nik_hash: str) -> tuple[Handout | None, str]:
    """The latest handout of the same item to the same family card or head (any household
    record, RW, programme or aggregator), and which number matched."""
    for match, value in (("kk", kk_hash), ("nik", nik_hash)):
        earlier = (Handout.objects.filter(item_id=item_id, **{f"{match}_hash": value})
                   .order_by("-given_on", "-pk").first())
        if earlier is not None:
            return earlier, match
    return None, ""


def handout_undo(*, handout: Handout, by: Actor) -> None:
    """A mistaken tap, taken back by the ketua RW on the day it was recorded."""
    _require(by, "households.record_handout", handout.handover)
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=handout.household_id).first()
        current = Handout.objects.select_for_update().get(pk=handout.pk)
        if timezone.localdate(current.recorded_at) != timezone.localdate():
            raise WrongState(_(
                "a handout can be taken back only on the day it was recorded"), field="handout")
        audit_log(actor=by, action="handout.undone", obj=current, before={
            "handover": current.handover_id, "household": current.household_id,
            "item": current.item_id, "quantity": current.quantity})
        photo = current.photo.name if current.photo else ""
        current.delete()
        if photo:
            storage = current.photo.storage
            transaction.on_commit(lambda: storage.delete(photo))
        others = Handout.objects.filter(household_id=current.household_id)
        if not others.exists():
            tallies.add_rw({current.rw_id: (0, 0, -1)})
        if current.round_id is not None and not others.filter(round_id=current.round_id).exists():
            tallies.add_round(current.round_id, current.rw_id, -1)


# Needs from the lists --------------------------------------------------------------------

def needs_derive_from_households(*, round: AssessmentRound, item: Item | str, by: Actor,
                                 per_household: int = 1, max_decile: int = 4) -> Any:
    """The round's needs from the lists instead of a poor-households file:
    ``per_household`` units per active household in deciles 1 to ``max_decile`` of each RW.
    Goes through the needs app's own derivation (same checks, audit and all or nothing)."""
    _require(by, "households.import_list")
    if not isinstance(max_decile, int) or not 1 <= max_decile <= 10:
        raise Invalid(_("the decile must be from 1 to 10"), field="max_decile")
    # The round's own region only: another region's RWs are not this round's to assess.
    counts = (Household.objects.filter(area_filter(region_row(region_key_of(round)),
                                                   "rw__code"),
                                       status=Household.Status.ACTIVE, decile__lte=max_decile)
              .values("rw_id").annotate(n=Count("pk")).order_by("rw_id"))
    rows = [(n, {"rw_code": row["rw_id"], "poor_households": str(row["n"])})
            for n, row in enumerate(counts, start=2)]
    return needs_derive_from_poverty(round=round, item=item, rows=rows, by=by,
                                     per_poor_household=per_household)



# Retention -------------------------------------------------------------------------------

def households_expired(*, cutoff: dt.datetime) -> list[int]:
    """Households whose personal data the retention purge erases: marked moved or deceased
    before ``cutoff`` (not changed since), with no handout on or after it, not yet erased.
    Households living in the RW stay: the list is their entitlement."""
    recent = Handout.objects.filter(household=OuterRef("pk"),
                                    given_on__gte=timezone.localdate(cutoff))
    return list(Household.objects.filter(
        status__in=[Household.Status.MOVED, Household.Status.DECEASED],
        updated_at__lt=cutoff).exclude(kk_hash="").exclude(Exists(recent))
        .order_by("pk").values_list("pk", flat=True))


def households_erase(*, ids: list[int]) -> None:
    """Erase the name, the masked numbers, the keyed hashes, the reasons and the assessor's
    note of these households, and the hashes and photos of their handouts (inside the
    caller's transaction; the purge audits it). The rows stay, so a BAST's handouts still
    add up to what it delivered and the counters do not change; the RT, members and
    decile stay as counts. Without the hashes a number typed again finds nothing."""
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        Household.objects.filter(pk__in=chunk).update(
            head_name="", kk_masked="", nik_masked="", kk_hash="", nik_hash="",
            status_reason="", flags_resolution="")
        # A photo of a receipt or signature shows the household: gone with the rest.
        for handout in Handout.objects.filter(household_id__in=chunk).exclude(photo=""):
            handout.photo.delete(save=False)
        Handout.objects.filter(household_id__in=chunk).update(
            kk_hash="", nik_hash="", repeat_match="", repeat_of=None, photo="", photo_kind="")
        Handout.objects.filter(repeat_of__household_id__in=chunk).update(
            repeat_match="", repeat_of=None)


# Evidence of a handout -------------------------------------------------------------------

def handout_photo_set(*, handout: Handout, upload: Any, kind: str, by: Actor) -> Handout:
    """A photo of the receipt or of the household's signature, added by the ketua RW to a
    recorded handout. Checked by its content (JPEG, PNG or WebP, size and pixel caps) and
    re-encoded without EXIF (no GPS or device), under a name of ours; a later photo
    replaces the earlier one. Served only to those who may see the household."""
    _require(by, "households.record_handout", handout.handover)
    if kind not in Handout.PhotoKind.values:
        raise Invalid(_("say whether the photo shows the receipt or the signature"),
                      field="kind")
    try:
        checked = check_photo(upload)
    except BadUpload as exc:
        raise Invalid(str(exc), field="photo") from exc
    with transaction.atomic():
        current = Handout.objects.select_for_update().get(pk=handout.pk)
        old = current.photo.name if current.photo else ""
        current.photo.save(checked.content.name or "photo", checked.content, save=False)
        current.photo_kind = kind
        current.save(update_fields=["photo", "photo_kind"])
        audit_log(actor=by, action="handout.photo_added", obj=current,
                  after={"kind": kind, "sha256": checked.sha256,
                         "content_type": checked.content_type, "replaced": bool(old)})
        if old:
            name = old
            transaction.on_commit(lambda: current.photo.storage.delete(name))
    return current
