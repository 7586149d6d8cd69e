"""Reading tabular imports (CSV or XLSX) and reporting errors row by row.

Every importer validates the whole file first and writes nothing unless every row is
valid, so a user fixes the file once with the full list of problems in hand.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number as a spreadsheet shows it, the header being row 1
    field: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field or "-",
            "message": self.message,
        }


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class TableError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


class HostileContent(TableError):
    """Cells no import accepts: control characters, formulas, text of absurd length.

    Raised once the whole file has been read, with every such cell named by row and column,
    and before any importer writes (they all read every row first).
    """

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:MAX_ERRORS_SHOWN])
        more = len(errors) - MAX_ERRORS_SHOWN
        if more > 0:
            shown += " " + _("(and %(n)s more)") % {"n": more}
        super().__init__(shown)


# Far above any real file (Indonesia has about 84,000 villages), far below what exhausts
# the memory of a worker.
MAX_ROWS = 500_000
MAX_CELL_CHARS = 1_000
MAX_ERRORS_SHOWN = 20
# An XLSX is a zip: refuse one that would unpack to more than this (a "zip bomb").
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# "-3" and "+62 812-3456" are numbers and phone numbers, not formulas.
_NUMBER_LIKE = re.compile(r"[+-][\d\s.,()-]*")
_FORMULA_START = frozenset("=+-@")


def cell_problem(value: str) -> str | None:
    """Why a cell is refused in any import, or None.

    Spreadsheets run a cell starting with = + - @ as a formula; such a value, stored and
    later exported, would run on an officer's computer (CSV injection).
    """
    if _CONTROL.search(value):
        return _("contains control characters (for example a null byte)")
    if len(value) > MAX_CELL_CHARS:
        return _("is longer than %(max)s characters") % {"max": MAX_CELL_CHARS}
    first = value[:1]
    if first in ("=", "@") or (first in ("+", "-") and not _NUMBER_LIKE.fullmatch(value)):
        return _("starts with %(char)s, which spreadsheets run as a formula; remove it") % {
            "char": first}
    return None


def _checked(rows: Iterator[tuple[int, dict[str, str]]], max_rows: int | None = None
             ) -> Iterator[tuple[int, dict[str, str]]]:
    max_rows = max_rows or MAX_ROWS
    errors: list[RowError] = []
    for count, (number, values) in enumerate(rows, start=1):
        if count > max_rows:
            raise TableError(_("the file has more than %(max)s rows; split it into smaller "
                               "files") % {"max": max_rows})
        # One regular expression over the whole row and a look at each cell's first
        # character: a list of millions of rows is checked in seconds. Only a row that
        # might have a problem goes cell by cell (the same cell_problem as always).
        if _CONTROL.search("\n".join(values.values())) or any(
                v[:1] in _FORMULA_START or len(v) > MAX_CELL_CHARS for v in values.values()):
            for column, value in values.items():
                problem = cell_problem(value)
                if problem:
                    errors.append(RowError(number, column, problem))
        yield number, values
    if errors:
        raise HostileContent(errors)


def read_rows(
    source: str | Path | IO[bytes], *, required: list[str], filename: str | None = None,
    max_rows: int | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, {column: text}) with the header checked against ``required``.

    CSV is read as a stream, so a caller that does not keep the rows (the household list
    of a whole province, ``max_rows`` raised) needs memory for one row at a time."""
    name = filename or (str(source) if isinstance(source, str | Path) else "upload.csv")
    if name.lower().endswith(".xlsx"):
        yield from _checked(_read_xlsx(source, required), max_rows)
    else:
        yield from _checked(_read_csv(source, required), max_rows)


def _check_header(header: list[str], required: list[str]) -> list[str]:
    header = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise TableError(
            _("missing columns: %(missing)s (expected %(expected)s)")
            % {"missing": ", ".join(missing), "expected": ", ".join(required)}
        )
    return header


def _read_csv(
    source: str | Path | IO[bytes], required: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            yield from _read_csv_stream(fh, required)
    else:
        yield from _read_csv_stream(source, required)


def _read_csv_stream(raw: IO[bytes], required: list[str]
                     ) -> Iterator[tuple[int, dict[str, str]]]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = _check_header(next(reader), required)
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield (
                number,
                {h: (values[i].strip() if i < len(values) else "")
                 for i, h in enumerate(header)},
            )
    except StopIteration:
        raise TableError(_("the file is empty")) from None
    except UnicodeDecodeError:
        raise TableError(_("the file is not UTF-8 text; save it as CSV UTF-8")) from None
    except csv.Error as exc:  # e.g. a field beyond the csv module's size limit
        raise TableError(_("the file is not valid CSV (line %(line)s)")
                         % {"line": reader.line_num}) from exc
    finally:
        # The caller owns the file: leave it open when this wrapper goes away.
        text.detach()


def _read_xlsx(
    source: str | Path | IO[bytes], required: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise TableError(_("the file is not a readable XLSX workbook")) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise TableError(_("the workbook unpacks to more than %(mb)s MB; split it into "
                           "smaller files") % {"mb": MAX_XLSX_UNPACKED_BYTES // 2**20})
    if not isinstance(source, str | Path):
        source.seek(0)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise TableError(_("the file is not a readable XLSX workbook")) from exc
    sheet = workbook.worksheets[0]
    # The sheet's own <dimension> claim (A1:XFD1048576 in a 5 KB file) made openpyxl pad
    # every row to 16,384 cells and fill a million rows: minutes of CPU. Ignore it and
    # count what is actually read, rows and cells, against hard caps and a time budget.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    try:
        header = _check_header(["" if v is None else str(v) for v in next(rows)], required)
    except StopIteration:
        raise TableError(_("the file is empty")) from None
    budget = _ReadBudget()
    for number, values in enumerate(rows, start=2):
        budget.row(number, len(values))
        cells = ["" if v is None else str(v).strip() for v in values[:len(header)]]
        if not any(cells):
            continue
        yield number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
    workbook.close()


# Work per workbook, whatever it claims: rows as read (empty ones too), cells as read,
# seconds spent.
MAX_XLSX_CELLS = 5_000_000
XLSX_SECONDS = 60


class _ReadBudget:
    def __init__(self) -> None:
        self.cells = 0
        self.deadline = time.monotonic() + XLSX_SECONDS

    def row(self, number: int, cells: int) -> None:
        if number > MAX_ROWS + 1:
            raise TableError(_("the file has more than %(max)s rows; split it into smaller "
                               "files") % {"max": MAX_ROWS})
        self.cells += cells
        if self.cells > MAX_XLSX_CELLS:
            raise TableError(_("the workbook has more than %(max)s cells; remove unused "
                               "columns or split it") % {"max": f"{MAX_XLSX_CELLS:,}"})
        if number % 1000 == 0 and time.monotonic() > self.deadline:
            raise TableError(_("the workbook takes too long to read (more than %(s)s "
                               "seconds); split it into smaller files") % {"s": XLSX_SECONDS})


def parse_count(text: str, *, allow_blank: bool = False) -> int | None:
    """A non-negative whole number, or ValueError with a translated message."""
    value = text.strip()
    if value == "" and allow_blank:
        return None
    # Spreadsheets turn 12 into "12.0"; accept that, refuse 12.5.
    if value.endswith(".0"):
        value = value[:-2]
    if not value.isdigit():
        raise ValueError(_("%(value)r is not a whole number of 0 or more") % {"value": text})
    return int(value)
