"""Hostile import files: refused with the row and column of every bad cell, nothing read
into the database (every importer reads all rows before it writes)."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ksbb.core import tables
from ksbb.core.tables import HostileContent, TableError, cell_problem, read_rows


def _rows(text: str, name: str = "x.csv") -> list[tuple[int, dict[str, str]]]:
    return list(read_rows(io.BytesIO(text.encode()), required=["a", "b"], filename=name))


@pytest.mark.parametrize("value", [
    "=HYPERLINK(\"http://evil.example\",\"klik\")", "=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0", "a\x00b", "bell\x07", "x" * 1001,
])
def test_dangerous_cells_are_named(value):  # type: ignore[no-untyped-def]
    assert cell_problem(value)


@pytest.mark.parametrize("value", [
    "", "12", "-3", "+62 812-3456-7890", "-", "Balai warga RW 001", "CSR@sembako.example",
    "a-b", "31.71.01.1001", "tab\tinside", "x" * 1000,
])
def test_ordinary_cells_pass(value):  # type: ignore[no-untyped-def]
    assert cell_problem(value) is None


def test_every_bad_cell_is_reported_by_row_and_column():  # type: ignore[no-untyped-def]
    with pytest.raises(HostileContent) as caught:
        _rows("a,b\nok,=1+1\n@x,fine\nfine,fine\n")
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "b"), (3, "a")]
    assert "row 2, b:" in str(caught.value)


def test_formula_in_an_xlsx_cell_is_refused_too():  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["a", "b"])
    sheet.append(["fine", "@cmd"])  # text; a real formula is read as its cached value
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(HostileContent):
        list(read_rows(buffer, required=["a", "b"], filename="x.xlsx"))


def test_zip_bomb_workbook_is_refused(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(tables, "MAX_XLSX_UNPACKED_BYTES", 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"0" * 10_000)
    buffer.seek(0)
    with pytest.raises(TableError, match="unpacks to more than"):
        list(read_rows(buffer, required=["a"], filename="x.xlsx"))


def test_not_a_workbook_is_refused():  # type: ignore[no-untyped-def]
    with pytest.raises(TableError, match="not a readable XLSX"):
        list(read_rows(io.BytesIO(b"PK\x03\x04garbage"), required=["a"], filename="x.xlsx"))


def test_oversized_csv_field_is_a_clear_error():  # type: ignore[no-untyped-def]
    with pytest.raises(TableError, match="not valid CSV"):
        _rows("a,b\n\"" + "x" * 200_000 + "\",1\n")


def test_too_many_rows(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    with pytest.raises(TableError, match="more than 3 rows"):
        _rows("a,b\n" + "1,2\n" * 4)


@given(st.text(max_size=40))
def test_no_accepted_cell_starts_a_formula(value):  # type: ignore[no-untyped-def]
    if cell_problem(value) is None and value[:1] in ("=", "@", "+", "-"):
        # Only signed numbers and phone numbers get through.
        assert all(c in "+-0123456789 .,()" or c.isspace() for c in value)


def _xlsx(cells: list[tuple[int, int, str]], dimension: str | None = None) -> bytes:
    """A workbook with a header and the given (row, column, value) cells; ``dimension``
    replaces the sheet's own <dimension ref=...> claim."""
    import io as _io
    import re as _re
    import zipfile as _zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["village_code", "rw"])
    for row, column, value in cells:
        ws.cell(row=row, column=column, value=value)
    raw = _io.BytesIO()
    wb.save(raw)
    if dimension is None:
        return raw.getvalue()
    out = _io.BytesIO()
    with _zipfile.ZipFile(_io.BytesIO(raw.getvalue())) as zin, \
            _zipfile.ZipFile(out, "w", _zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                content = _re.sub(rb'<dimension ref="[^"]+"/>',
                                  f'<dimension ref="{dimension}"/>'.encode(), content)
            zout.writestr(item, content)
    return out.getvalue()


def test_a_dimension_bomb_costs_seconds_not_minutes():
    """Issue 14, finding 4: a 5 KB sheet claiming A1:XFD1048576 with one cell on the last
    row took 472 s of CPU in one request."""
    import io as _io
    import time as _time

    from ksbb.core.tables import TableError, read_rows

    bomb = _xlsx([(1048576, 1, "31.71.01.1001")], dimension="A1:XFD1048576")
    assert len(bomb) < 10_000
    started = _time.process_time()
    with pytest.raises(TableError, match="more than 500000 rows"):
        list(read_rows(_io.BytesIO(bomb), required=["village_code", "rw"],
                       filename="bomb.xlsx"))
    assert _time.process_time() - started < 10


def test_cells_are_counted_as_read_whatever_the_sheet_claims(monkeypatch):
    import io as _io

    from ksbb.core import tables

    monkeypatch.setattr(tables, "MAX_XLSX_CELLS", 100_000)
    # Ten rows reaching column XFD: 163,840 cells read, whatever the dimension says.
    wide = _xlsx([(r, 16384, "x") for r in range(2, 12)], dimension="A1:B2")
    with pytest.raises(tables.TableError, match="more than 100,000 cells"):
        list(tables.read_rows(_io.BytesIO(wide), required=["village_code", "rw"],
                              filename="wide.xlsx"))


def test_a_normal_workbook_still_reads_despite_a_wrong_dimension():
    import io as _io

    from ksbb.core.tables import read_rows

    book = _xlsx([(2, 1, "31.71.01.1001"), (2, 2, "1"), (4, 1, "31.71.01.1002"),
                  (4, 2, "2")], dimension="A1:A1")
    rows = list(read_rows(_io.BytesIO(book), required=["village_code", "rw"],
                          filename="ok.xlsx"))
    assert rows == [(2, {"village_code": "31.71.01.1001", "rw": "1"}),
                    (4, {"village_code": "31.71.01.1002", "rw": "2"})]
