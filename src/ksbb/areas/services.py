"""Writes to the area tree: the national reference data and RW figures."""

from __future__ import annotations

import csv
import functools
import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext as _

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor
from ksbb.core.tables import ImportReport, RowError, parse_count

# Files shipped in ksbb/areas/data/wilayah, coarsest first so parents exist before children.
_LEVEL_FILES = (
    (Area.Level.PROVINCE, "provinces.csv.gz", None),
    (Area.Level.REGENCY, "regencies.csv.gz", "province_code"),
    (Area.Level.DISTRICT, "districts.csv.gz", "regency_code"),
    (Area.Level.VILLAGE, "villages.csv.gz", "district_code"),
)
_BATCH = 5000


@dataclass(frozen=True)
class AreaRow:
    code: str
    level: int
    name: str
    parent_id: str | None


@functools.cache
def _all_reference_rows() -> tuple[AreaRow, ...]:
    # Parsed once per process: tests and `ksbb up` load a province many times over.
    data = resources.files("ksbb.areas") / "data" / "wilayah"
    rows: list[AreaRow] = []
    for level, filename, parent_col in _LEVEL_FILES:
        with gzip.open(io.BytesIO((data / filename).read_bytes()), "rt", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                rows.append(
                    AreaRow(
                        rec["code"],
                        int(level),
                        rec["name"],
                        rec[parent_col] if parent_col else None,
                    )
                )
    return tuple(rows)


def reference_rows(provinces: Iterable[str] | None = None) -> Iterator[AreaRow]:
    """The shipped Kemendagri data, coarsest level first, optionally only some provinces."""
    wanted = set(provinces) if provinces else None
    for row in _all_reference_rows():
        if wanted is None or row.code.split(".", 1)[0] in wanted:
            yield row


def known_provinces() -> set[str]:
    return {r.code for r in reference_rows() if r.level == Area.Level.PROVINCE}


def areas_load_reference(
    *,
    by: Actor,
    provinces: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or correct areas from the shipped data; a second run changes nothing."""
    rows = list(reference_rows(provinces))
    report = ImportReport(rows=len(rows))
    existing = {
        code: (level, name, parent)
        for code, level, name, parent in Area.objects.exclude(level=Area.Level.RW).values_list(
            "code", "level", "name", "parent_id"
        )
    }
    to_create: list[Area] = []
    to_update: list[Area] = []
    for row in rows:
        current = existing.get(row.code)
        if current is None:
            to_create.append(
                Area(code=row.code, level=row.level, name=row.name, parent_id=row.parent_id)
            )
        elif current != (row.level, row.name, row.parent_id):
            to_update.append(
                Area(code=row.code, level=row.level, name=row.name, parent_id=row.parent_id)
            )
        else:
            report.unchanged += 1
    with transaction.atomic():
        # Rows are in level order, so each batch's parents were created by earlier batches.
        for start in range(0, len(to_create), _BATCH):
            batch = to_create[start : start + _BATCH]
            Area.objects.bulk_create(batch, batch_size=_BATCH)
            if progress:
                progress(len(batch))
        if to_update:
            Area.objects.bulk_update(to_update, ["level", "name", "parent"], batch_size=_BATCH)
            if progress:
                progress(len(to_update))
        report.created, report.updated = len(to_create), len(to_update)
        if report.created or report.updated:
            audit_log(
                actor=by,
                action="areas.reference_loaded",
                object_type="areas.area",
                # The id column holds 100 characters, fewer than all 38 provinces joined;
                # the whole list goes into the entry's details instead.
                object_id=(",".join(sorted(provinces)) if provinces else "*")[:100],
                after={"created": report.created, "updated": report.updated,
                       "provinces": sorted(provinces) if provinces else "*"},
            )
    if progress and report.unchanged:
        progress(report.unchanged)
    return report


RW_COLUMNS = ["village_code", "rw", "households", "population", "poor_households"]


@dataclass(frozen=True)
class RwFigures:
    code: str
    village_code: str
    households: int | None
    population: int | None
    poor_households: int | None


def rws_validate(
    rows: Iterable[tuple[int, dict[str, str]]],
) -> tuple[list[RwFigures], list[RowError]]:
    """Check every row; the caller writes nothing if any error comes back."""
    errors: list[RowError] = []
    parsed: list[RwFigures] = []
    seen: dict[str, int] = {}
    raw = list(rows)
    villages = set(
        Area.objects.filter(
            level=Area.Level.VILLAGE, code__in={r["village_code"] for _n, r in raw}
        ).values_list("code", flat=True)
    )
    for number, rec in raw:
        row_errors: list[RowError] = []
        village = rec["village_code"]
        if (
            not areacodes.is_valid(village)
            or areacodes.level_of(village) != areacodes.Level.VILLAGE
        ):
            row_errors.append(
                RowError(
                    number,
                    "village_code",
                    _("%(value)r is not a village code such as 31.71.01.1001") % {"value": village},
                )
            )
        elif village not in villages:
            row_errors.append(
                RowError(
                    number,
                    "village_code",
                    _("village %(value)s is not loaded; run load_areas first") % {"value": village},
                )
            )
        rw_number: int | None = None
        try:
            rw_number = parse_count(rec["rw"])
            if rw_number is None or not 1 <= rw_number <= 999:
                raise ValueError(_("RW number must be between 1 and 999"))
        except ValueError as exc:
            row_errors.append(RowError(number, "rw", str(exc)))
            rw_number = None
        figures: dict[str, int | None] = {}
        for column in ("households", "population", "poor_households"):
            try:
                figures[column] = parse_count(rec[column], allow_blank=True)
            except ValueError as exc:
                row_errors.append(RowError(number, column, str(exc)))
                figures[column] = None
        hh, pop, poor = figures["households"], figures["population"], figures["poor_households"]
        if hh is not None and poor is not None and poor > hh:
            row_errors.append(
                RowError(
                    number,
                    "poor_households",
                    _("poor households (%(poor)s) exceed households (%(hh)s)")
                    % {"poor": poor, "hh": hh},
                )
            )
        if hh is not None and pop is not None and hh > pop:
            row_errors.append(
                RowError(
                    number,
                    "households",
                    _("households (%(hh)s) exceed population (%(pop)s)") % {"hh": hh, "pop": pop},
                )
            )
        if not row_errors and rw_number is not None:
            code = areacodes.rw_code(village, rw_number)
            if code in seen:
                row_errors.append(
                    RowError(
                        number,
                        "rw",
                        _("RW %(code)s appears twice (also row %(other)s)")
                        % {"code": code, "other": seen[code]},
                    )
                )
            else:
                seen[code] = number
                parsed.append(RwFigures(code, village, hh, pop, poor))
        errors.extend(row_errors)
    return parsed, errors


def rws_import(
    *, rows: Iterable[tuple[int, dict[str, str]]], by: Actor, is_demo: bool = False
) -> ImportReport:
    """All or nothing: validates every row, then creates or updates the RWs."""
    raw = list(rows)
    parsed, errors = rws_validate(raw)
    report = ImportReport(rows=len(raw), errors=errors)
    if errors:
        return report
    with transaction.atomic():
        existing = {
            a.code: a
            for a in Area.objects.select_for_update().filter(code__in=[p.code for p in parsed])
        }
        to_create, to_update = [], []
        for p in parsed:
            area = existing.get(p.code)
            values = {
                "households": p.households,
                "population": p.population,
                "poor_households": p.poor_households,
            }
            if area is None:
                to_create.append(
                    Area(
                        code=p.code,
                        level=Area.Level.RW,
                        name=f"RW {p.code.rsplit('.', 1)[1]}",
                        parent_id=p.village_code,
                        is_demo=is_demo,
                        **values,
                    )
                )
            elif any(getattr(area, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(area, k, v)
                to_update.append(area)
            else:
                report.unchanged += 1
        Area.objects.bulk_create(to_create, batch_size=_BATCH)
        Area.objects.bulk_update(
            to_update, ["households", "population", "poor_households"], batch_size=_BATCH
        )
        report.created, report.updated = len(to_create), len(to_update)
        if report.created or report.updated:
            audit_log(
                actor=by,
                action="areas.rws_imported",
                object_type="areas.area",
                object_id="rw",
                after={"created": report.created, "updated": report.updated, "demo": is_demo},
            )
    return report
