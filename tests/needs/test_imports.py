from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from ksbb.core.models import AuditEntry
from ksbb.needs.models import Need, NeedsImport
from ksbb.needs.services import (
    needs_derive_from_poverty,
    needs_import,
    round_close,
)
from ksbb.needs.tasks import needs_import_start
from tests.needs.conftest import RW_A1, RW_A2, RW_B1, RW_OTHER, csv_rows

pytestmark = pytest.mark.django_db


def test_good_file_creates_then_updates(cast, food_round, orphanage):  # type: ignore[no-untyped-def]
    rows = csv_rows(f"""
recipient,item,quantity,priority
{RW_A1},sembako,40,1
{RW_A2},sembako,25,2
i-{orphanage.pk},sembako,40.0,3
{RW_A1},siap-saji,10,2
""")
    report = needs_import(round=food_round, rows=rows, by=cast.assessor)
    assert report.ok and (report.rows, report.created, report.updated) == (4, 4, 0)
    need = Need.objects.get(recipient=orphanage)
    assert (need.quantity, need.priority, need.source) == (40, 3, "import")
    rows = csv_rows(f"recipient,item,quantity,priority\n{RW_A1},sembako,45,1\n"
                    f"{RW_A2},sembako,25,2\n")
    report = needs_import(round=food_round, rows=rows, by=cast.assessor)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    entry = AuditEntry.objects.filter(action="needs.imported").order_by("-seq").first()
    assert entry.after["changes"] == [{"recipient": cast.recipient.pk, "item": "sembako",
                                       "before": [40, 1, "import"],
                                       "after": [45, 1, "import"]}]


def test_bad_rows_are_all_reported_and_nothing_is_written(cast, food_round):  # type: ignore[no-untyped-def]
    rows = csv_rows(f"""
recipient,item,quantity,priority
{RW_A1},sembako,40,1
31.71.01.1001.099,sembako,5,1
I-999999,sembako,5,1
banana,sembako,5,1
{RW_A2},sembako,0,2
{RW_A2},,-2,4
{RW_A1},sembako,12,1
""")
    report = needs_import(round=food_round, rows=rows, by=cast.assessor)
    assert not report.ok
    found = {(e.row, e.field) for e in report.errors}
    assert found == {(3, "recipient"), (4, "recipient"), (5, "recipient"), (6, "quantity"),
                     (7, "item"), (7, "quantity"), (7, "priority"), (8, "item")}
    messages = [str(e) for e in report.errors]
    assert "row 8, item: 31.71.01.1001.001 already has sembako on row 2" in messages
    assert "row 7, priority: '4' is not a priority; use 1, 2 or 3" in messages
    assert not Need.objects.exists()
    assert not AuditEntry.objects.filter(action="needs.imported").exists()


def test_import_into_closed_round_is_refused(cast, food_round):  # type: ignore[no-untyped-def]
    round_close(round=food_round, by=cast.assessor)
    report = needs_import(round=food_round, by=cast.assessor,
                          rows=csv_rows(f"recipient,item,quantity,priority\n{RW_A1},s,1,1\n"))
    assert not report.ok and report.errors[0].field == "round"
    assert not Need.objects.exists()


def test_derive_from_poverty_with_health_office_raise(cast, food_round):  # type: ignore[no-untyped-def]
    poverty = csv_rows(f"""
rw_code,poor_households
{RW_A1},40
{RW_A2},25
{RW_B1},0
{RW_OTHER},7
""")
    health = csv_rows(f"rw_code\n{RW_A2}\n{RW_OTHER}\n")
    report = needs_derive_from_poverty(round=food_round, item="sembako", rows=poverty,
                                       health_rows=health, per_poor_household=2,
                                       by=cast.assessor)
    assert report.ok and report.created == 3
    got = {n.recipient.area_id: (n.quantity, n.priority, n.source)
           for n in Need.objects.select_related("recipient")}
    assert got == {RW_A1: (80, 2, "derived"), RW_A2: (50, 1, "derived"),
                   RW_OTHER: (14, 1, "derived")}
    entry = AuditEntry.objects.get(action="needs.derived")
    assert entry.after["health_office_rws"] == 2 and entry.after["per_poor_household"] == 2


def test_derive_reports_errors_of_both_files(cast, food_round):  # type: ignore[no-untyped-def]
    poverty = csv_rows(f"rw_code,poor_households\n{RW_A1},many\n31.71.01.1001,4\n"
                       f"{RW_A1},3\n")
    health = csv_rows("rw_code\n31.71.01.1001.077\n")
    report = needs_derive_from_poverty(round=food_round, item="sembako", rows=poverty,
                                       health_rows=health, by=cast.assessor)
    messages = [str(e) for e in report.errors]
    assert any("health-office list" in m and "31.71.01.1001.077" in m for m in messages)
    assert any(m.startswith("row 2, poor_households") for m in messages)
    assert any(m.startswith("row 3, rw_code") for m in messages)
    assert len(messages) == 3  # row 4 is fine once row 2 is fixed
    assert not Need.objects.exists()


@pytest.fixture
def immediate_tasks(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


def test_import_task_reports_progress_and_result(  # type: ignore[no-untyped-def]
    cast, food_round, immediate_tasks, django_capture_on_commit_callbacks
):
    body = "recipient,item,quantity,priority\n" + "".join(
        f"{code},sembako,{n},1\n" for n, code in enumerate([RW_A1, RW_A2, RW_B1], start=1))
    with django_capture_on_commit_callbacks(execute=True):
        job = needs_import_start(round=food_round, by=cast.assessor,
                                 file=ContentFile(body.encode(), name="needs.csv"))
    job.refresh_from_db()
    assert job.state == NeedsImport.State.DONE
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.report["created"] == 3 and job.report["errors"] == []
    assert Need.objects.filter(round=food_round).count() == 3


def test_import_task_failure_keeps_the_errors(  # type: ignore[no-untyped-def]
    cast, food_round, immediate_tasks, django_capture_on_commit_callbacks
):
    body = f"recipient,item,quantity,priority\n{RW_A1},sembako,x,1\n{RW_A2},sembako,2,9\n"
    with django_capture_on_commit_callbacks(execute=True):
        job = needs_import_start(round=food_round, by=cast.assessor,
                                 file=ContentFile(body.encode(), name="needs.csv"))
    job.refresh_from_db()
    assert job.state == NeedsImport.State.FAILED
    assert [(e["row"], e["field"]) for e in job.report["errors"]] == [(2, "quantity"),
                                                                      (3, "priority")]
    assert not Need.objects.exists()


def test_poverty_task_and_missing_column(  # type: ignore[no-untyped-def]
    cast, food_round, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = needs_import_start(
            round=food_round, by=cast.assessor, kind=NeedsImport.Kind.POVERTY, item="sembako",
            file=ContentFile(f"rw_code,poor_households\n{RW_A1},4\n".encode(), name="p.csv"),
            health_file=ContentFile(f"rw_code\n{RW_A1}\n".encode(), name="h.csv"))
        bad = needs_import_start(round=food_round, by=cast.assessor,
                                 file=ContentFile(b"rw,qty\n1,2\n", name="bad.csv"))
    job.refresh_from_db()
    bad.refresh_from_db()
    assert job.state == "done" and Need.objects.get().priority == 1
    assert bad.state == "failed" and "missing columns" in bad.report["errors"][0]["message"]


def test_import_task_refuses_hostile_cells_row_by_row(  # type: ignore[no-untyped-def]
    cast, food_round, immediate_tasks, django_capture_on_commit_callbacks
):
    body = (f"recipient,item,quantity,priority\n{RW_A1},sembako,4,1\n"
            f"{RW_A2},=cmd|' /C calc'!A0,2,1\n{RW_B1},sembako\x00,2,1\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = needs_import_start(round=food_round, by=cast.assessor,
                                 file=ContentFile(body.encode(), name="needs.csv"))
    job.refresh_from_db()
    assert job.state == NeedsImport.State.FAILED
    assert [(e["row"], e["field"]) for e in job.report["errors"]] == [(3, "item"), (4, "item")]
    assert not Need.objects.exists()


def test_an_import_invalidates_the_cached_figures(cast, food_round):  # type: ignore[no-untyped-def]
    """Needs are written in bulk (no save signals): the import itself bumps the statistics
    generation, so the need map, coverage and national map cached under it make way, on
    creating and on updating alike."""
    from ksbb.stats.models import Generation

    def generation() -> int:
        row = Generation.objects.filter(pk=1).first()
        return row.value if row else 0

    before = generation()
    needs_import(round=food_round, by=cast.assessor,
                 rows=csv_rows(f"recipient,item,quantity,priority\n{RW_A1},sembako,40,1\n"))
    assert generation() > before
    before = generation()
    needs_import(round=food_round, by=cast.assessor,
                 rows=csv_rows(f"recipient,item,quantity,priority\n{RW_A1},sembako,41,1\n"))
    assert generation() > before
    before = generation()
    needs_import(round=food_round, by=cast.assessor,
                 rows=csv_rows(f"recipient,item,quantity,priority\n{RW_A1},sembako,41,1\n"))
    assert generation() == before  # nothing changed, nothing to redo
