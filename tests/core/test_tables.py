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
