from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from ksbb.areas.models import Area
from ksbb.needs.models import Recipient

pytestmark = pytest.mark.django_db

HEADER = "village_code,rw,households,population,poor_households\n"


@pytest.fixture
def jakarta_areas():
    call_command("load_areas", province=["31"], no_progress=True)


def _csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rws.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_import_creates_rws_and_their_recipients(jakarta_areas, tmp_path, capsys):
    path = _csv(tmp_path, "31.71.01.1001,1,300,1200,40\n31.71.01.1001,2,250,900,\n")
    call_command("load_rws", str(path))
    rw = Area.objects.get(code="31.71.01.1001.001")
    assert (rw.level, rw.parent_id, rw.households, rw.population, rw.poor_households) == (
        Area.Level.RW, "31.71.01.1001", 300, 1200, 40)
    assert Area.objects.get(code="31.71.01.1001.002").poor_households is None
    assert Recipient.objects.filter(kind="rw").count() == 2
    assert "2 created" in capsys.readouterr().out
    # Again with a changed figure: one update, nothing duplicated.
    path = _csv(tmp_path, "31.71.01.1001,1,310,1200,40\n31.71.01.1001,2,250,900,\n")
    call_command("load_rws", str(path))
    assert "0 created, 1 updated, 1 unchanged" in capsys.readouterr().out
    assert Recipient.objects.filter(kind="rw").count() == 2


def test_every_bad_row_is_reported_and_nothing_is_written(jakarta_areas, tmp_path, capsys):
    path = _csv(tmp_path, "\n".join([
        "31.71.01.1001,1,300,1200,40",      # good
        "31.71.01.9999,1,300,1200,40",      # village not loaded
        "31.71.01,1,300,1200,40",           # not a village code
        "31.71.01.1001,1000,300,1200,40",   # RW number out of range
        "31.71.01.1001,3,-5,1200,40",       # negative
        "31.71.01.1001,4,300,1200,400",     # poor > households
        "31.71.01.1001,1,300,1200,40",      # duplicate of row 2
    ]) + "\n")
    with pytest.raises(CommandError, match="6 error"):
        call_command("load_rws", str(path))
    err = capsys.readouterr().err
    assert "row 3, village_code: village 31.71.01.9999 is not loaded" in err
    assert "row 4, village_code" in err
    assert "row 5, rw: RW number must be between 1 and 999" in err
    assert "row 6, households" in err
    assert "row 7, poor_households" in err
    assert "row 8, rw: RW 31.71.01.1001.001 appears twice (also row 2)" in err
    assert not Area.objects.filter(level=Area.Level.RW).exists()


def test_xlsx_and_missing_columns(jakarta_areas, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["village_code", "rw", "households", "population", "poor_households"])
    ws.append(["31.71.01.1002", 7, 100, 400, 10])
    wb.save(tmp_path / "rws.xlsx")
    call_command("load_rws", str(tmp_path / "rws.xlsx"))
    assert Area.objects.get(code="31.71.01.1002.007").households == 100

    bad = tmp_path / "bad.csv"
    bad.write_text("village,rw\n31.71.01.1001,1\n")
    with pytest.raises(CommandError, match="missing columns: village_code"):
        call_command("load_rws", str(bad))


def test_messages_are_translated(jakarta_areas, tmp_path, capsys):
    from django.utils import translation

    path = _csv(tmp_path, "31.71.01.1001,0,300,1200,40\n")
    with translation.override("id"), pytest.raises(CommandError):
        call_command("load_rws", str(path))
    assert "baris 2, rw: Nomor RW harus antara 1 dan 999" in capsys.readouterr().err
