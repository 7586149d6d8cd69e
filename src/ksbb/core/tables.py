"""Reading tabular imports (CSV or XLSX) and reporting errors row by row.

Every importer validates the whole file first and writes nothing unless every row is
valid, so a user fixes the file once with the full list of problems in hand.
"""

from __future__ import annotations

import csv
import io
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


def read_rows(
    source: str | Path | IO[bytes], *, required: list[str], filename: str | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, {column: text}) with the header checked against ``required``."""
    name = filename or (str(source) if isinstance(source, str | Path) else "upload.csv")
    if name.lower().endswith(".xlsx"):
        yield from _read_xlsx(source, required)
    else:
        yield from _read_csv(source, required)


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
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(_("the file is not UTF-8 text; save it as CSV UTF-8")) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = _check_header(next(reader), required)
    except StopIteration:
        raise TableError(_("the file is empty")) from None
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        yield (
            number,
            {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)},
        )


def _read_xlsx(
    source: str | Path | IO[bytes], required: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise TableError(_("the file is not a readable XLSX workbook")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = _check_header(["" if v is None else str(v) for v in next(rows)], required)
    except StopIteration:
        raise TableError(_("the file is empty")) from None
    for number, values in enumerate(rows, start=2):
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        yield number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
    workbook.close()


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
