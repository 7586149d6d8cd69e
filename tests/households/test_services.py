"""The household list: import checks, keyed hashes, flags, the ketua RW's corrections,
handouts within the BAST, the reports, the citizen check and the public figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from ksbb.core.domain import SystemActor
from ksbb.core.models import AuditEntry
from ksbb.households import identity
from ksbb.households.models import Handout, Household, HouseholdImport
from ksbb.households.selectors import (
    citizen_check,
    late_distributions,
    not_reached_in_rw,
    public_figures,
    reach_by_rw,
    twice_received,
)
from ksbb.households.services import (
    handout_record,
    household_add,
    household_correct,
    household_resolve_flags,
    household_set_status,
    households_import,
    needs_derive_from_households,
)
from ksbb.households.tasks import household_import_start
from ksbb.needs.models import Need
from tests.households.conftest import (
    RW_A,
    RW_A2,
    RW_OTHER,
    kk,
    nik,
    row,
    rows_of,
)

# Import checks -----------------------------------------------------------------------------

BAD_ROWS = [
    ({"nik": "31710115058500"}, "nik", "exactly 16 digits"),
    ({"nik": "9999991505850001"}, "nik", "not a known district code"),
    ({"nik": "3171013213850001"}, "nik", "not a birth date"),
    ({"nik": "3171011505850000"}, "nik", "cannot be 0000"),
    ({"kk_": "31710101012"}, "kk", "exactly 16 digits"),
    ({"kk_": "9999990101200001"}, "kk", "not a known district code"),
    ({"kk_": "3171013202200001"}, "kk", "not a date of issue"),
    ({"rw": "31.71.01.1001.999"}, "rw_code", "not a known RW code"),
    ({"rt": "0"}, "rt", "not an RT number"),
    ({"members": "0"}, "members", "not a number of members"),
    ({"decile": "11"}, "decile", "not a welfare decile"),
    ({"name": " "}, "name", "is required"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_ROWS)
def test_each_kind_of_bad_row_is_named_and_nothing_is_written(cast, change, field, message):  # type: ignore[no-untyped-def]
    change = {("nik_" if k == "nik" else k): v for k, v in change.items()}
    good = row(1)
    bad = row(2, **change)
    report = households_import(rows=rows_of(good, bad), by=cast.assessor)
    assert not report.ok
    assert [(e.row, e.field) for e in report.errors] == [(3, field)]
    assert message in report.errors[0].message
    assert Household.objects.count() == 0


def test_women_add_40_to_the_day_and_the_future_is_refused():  # type: ignore[no-untyped-def]
    districts = frozenset({"317101"})
    assert identity.check_nik(nik(1, woman=True), districts) is None
    today = dt.date(2026, 1, 1)
    # Born 1 Jan 2027 is in the future, and 1927 does not fit either? 1927 does: plausible.
    assert identity.check_nik("3171010101270001", districts, today=today) is None
    assert "not a birth date" in identity.check_nik("3171013002850001", districts)  # 30 Feb


def test_import_stores_hashes_and_masks_only(cast, lists):  # type: ignore[no-untyped-def]
    h = Household.objects.get(rw_id=RW_A, rt=1, head_name="Kepala Keluarga 1")
    assert h.kk_hash == identity.keyed_hash("kk", kk(1)) != kk(1)
    assert h.nik_masked == nik(1)[:4] + "*" * 10 + nik(1)[-2:]
    assert len(h.kk_hash) == 64
    entry = AuditEntry.objects.filter(action="households.imported").get()
    assert entry.after["created"] == 9 and "Kepala" not in str(entry.after)


def test_the_same_nik_matches_across_rws_and_both_are_flagged(cast, lists):  # type: ignore[no-untyped-def]
    # The head of household 1 also appears in RW A2 with another family card.
    report = households_import(rows=rows_of(row(30, rw=RW_A2, nik_=nik(1))), by=cast.assessor)
    assert report.ok
    pair = Household.objects.filter(nik_hash=identity.keyed_hash("nik", nik(1)))
    assert {h.rw_id for h in pair} == {RW_A, RW_A2}
    assert all(h.duplicate_nik and h.is_flagged for h in pair)


def test_duplicates_in_the_file_are_imported_and_flagged_never_dropped(cast):  # type: ignore[no-untyped-def]
    report = households_import(rows=rows_of(row(1), row(2, kk_=kk(1)), row(3)),
                               by=cast.assessor)
    assert report.ok and report.created == 3
    assert report.duplicate_rows == [2, 3]
    assert Household.objects.filter(duplicate_kk=True).count() == 2
    assert Household.objects.filter(duplicate_kk=False).count() == 1


def test_a_kk_of_another_district_is_flagged_wrong_rw(cast):  # type: ignore[no-untyped-def]
    report = households_import(rows=rows_of(row(1, kk_=kk(1, district="317501"))),
                               by=cast.assessor)
    assert report.ok and report.wrong_rw_count == 1
    assert Household.objects.get().wrong_rw


def test_importing_the_same_list_again_updates_instead_of_duplicating(cast, lists):  # type: ignore[no-untyped-def]
    report = households_import(rows=rows_of(row(1, members="5"), row(2)), by=cast.assessor)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Household.objects.count() == 9
    assert not Household.objects.filter(duplicate_kk=True).exists()


def test_only_the_assessor_imports(cast):  # type: ignore[no-untyped-def]
    for user in (cast.admin, cast.kelurahan, cast.ketua_rw):
        with pytest.raises(PermissionDenied):
            households_import(rows=rows_of(row(1)), by=user)


def test_background_import_forgets_the_file_and_nothing_plain_stays(  # type: ignore[no-untyped-def]
        cast, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    numbers = [kk(1), nik(1), kk(2), nik(2)]
    text = "rw_code,rt,kk,nik,name,members,decile\n" + "".join(
        f"{RW_A},1,{kk(i)},{nik(i)},Kepala {i},3,1\n" for i in (1, 2))
    upload = SimpleUploadedFile("daftar.csv", text.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        job = household_import_start(file=upload, by=cast.assessor)
    job.refresh_from_db()
    assert job.state == HouseholdImport.State.DONE, job.report
    assert job.progress_done == job.progress_total == 2 and job.percent == 100
    assert Household.objects.count() == 2
    # No file under media/ (what a backup packs besides the database) holds them ...
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    # ... and no table of the database does.
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            text_rows = str(cursor.fetchall())
            found += [(table, n) for n in numbers if n in text_rows]
    assert found == []


def test_the_key_lives_in_the_data_folder_not_in_the_database(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from ksbb.core.env import household_key

    monkeypatch.delenv("KSBB_HOUSEHOLD_KEY", raising=False)
    key = household_key("KSBB_HOUSEHOLD_KEY", tmp_path)
    assert (tmp_path / "household_key").read_text().encode() == key
    assert oct((tmp_path / "household_key").stat().st_mode)[-3:] == "600"
    assert household_key("KSBB_HOUSEHOLD_KEY", tmp_path) == key


# The ketua RW's corrections ----------------------------------------------------------------

def test_ketua_rw_adds_corrects_and_marks_moved_with_a_reason(cast, lists):  # type: ignore[no-untyped-def]
    from ksbb.areas.models import Area

    rw = Area.objects.get(code=RW_A)
    h = household_add(rw=rw, rt=3, kk=kk(40), nik=nik(40), name="Budi", members=2, by=cast.ketua_rw)
    assert h.source == Household.Source.MANUAL and not h.is_flagged
    with pytest.raises(ValidationError) as err:
        household_add(rw=rw, rt=3, kk="123", nik=nik(41), name="X", members=2, by=cast.ketua_rw)
    assert "kk" in err.value.message_dict
    h = household_correct(household=h, rt=4, name="Budi Santoso", members=3, by=cast.ketua_rw)
    assert (h.rt, h.members) == (4, 3)
    with pytest.raises(ValidationError):
        household_set_status(household=h, status="moved", reason=" ", by=cast.ketua_rw)
    h = household_set_status(household=h, status="moved", reason="pindah ke Bekasi",
                             by=cast.ketua_rw)
    assert h.status == "moved"
    entries = AuditEntry.objects.filter(object_type="households.household")
    assert {e.action for e in entries} >= {"household.added", "household.corrected",
                                           "household.status_changed"}
    assert not any("Budi" in str(e.after) + e.object_repr or "Bekasi" in str(e.after)
                   for e in entries)
    # Another RW's ketua (none here) and the officer may not edit.
    with pytest.raises(PermissionDenied):
        household_correct(household=h, rt=1, name="X", members=1, by=cast.kelurahan)
    other = Household.objects.get(rw_id=RW_OTHER)
    with pytest.raises(PermissionDenied):
        household_set_status(household=other, status="moved", reason="x", by=cast.ketua_rw)


def test_the_assessor_resolves_a_flag(cast):  # type: ignore[no-untyped-def]
    households_import(rows=rows_of(row(1), row(2, kk_=kk(1))), by=cast.assessor)
    h = Household.objects.filter(duplicate_kk=True).first()
    h = household_resolve_flags(household=h, resolution="dua keluarga satu KK, dicek",
                                by=cast.assessor)
    assert not h.is_flagged
    with pytest.raises(PermissionDenied):
        household_resolve_flags(household=h, resolution="x", by=cast.ketua_rw)


# Handing out -------------------------------------------------------------------------------

def test_handouts_only_after_signing_within_the_bast(cast, lists, bast):  # type: ignore[no-untyped-def]
    mine = Household.objects.filter(rw_id=RW_A).order_by("pk")
    first = handout_record(handover=bast, household=mine[0], by=cast.ketua_rw)
    assert first.quantity == 1 and first.round is not None and first.rw_id == RW_A
    with pytest.raises(ValidationError, match="already recorded"):
        handout_record(handover=bast, household=mine[0], by=cast.ketua_rw)
    handout_record(handover=bast, household=mine[1], quantity=38, by=cast.ketua_rw)
    with pytest.raises(ValidationError, match="only 1 left of the 40"):
        handout_record(handover=bast, household=mine[2], quantity=2, by=cast.ketua_rw)
    handout_record(handover=bast, household=mine[2], quantity=1, by=cast.ketua_rw)
    with pytest.raises(ValidationError, match="only 0 left"):
        handout_record(handover=bast, household=mine[3], by=cast.ketua_rw)
    with pytest.raises(ValidationError, match="not on this RW"):
        handout_record(handover=bast, household=Household.objects.get(rw_id=RW_OTHER),
                       by=cast.ketua_rw)
    for user in (cast.admin, cast.assessor, cast.kelurahan, cast.executor):
        with pytest.raises(PermissionDenied):
            handout_record(handover=bast, household=mine[4], by=user)
    entry = AuditEntry.objects.filter(action="handout.recorded").first()
    assert set(entry.after) == {"handover", "household", "item", "quantity"}


def test_no_handout_on_a_draft_bast(cast, lists, delivered):  # type: ignore[no-untyped-def]
    from tests.distribution.conftest import draft_for

    draft = draft_for(delivered, cast.executor)
    with pytest.raises(ValidationError, match="after the BAST is signed"):
        handout_record(handover=draft, household=lists.households[0], by=cast.ketua_rw)


# Reports -----------------------------------------------------------------------------------

def test_reach_per_rw_and_not_reached(cast, lists, bast):  # type: ignore[no-untyped-def]
    mine = list(Household.objects.filter(rw_id=RW_A).order_by("pk"))
    for h in mine[:4]:
        handout_record(handover=bast, household=h, by=cast.ketua_rw)
    rnd = Handout.objects.first().round
    rows = {r.rw: r for r in reach_by_rw(round=rnd, user=cast.assessor)}
    assert (rows[RW_A].listed, rows[RW_A].reached, rows[RW_A].not_reached) == (6, 4, 2)
    assert (rows[RW_A2].listed, rows[RW_A2].reached) == (2, 0)
    assert set(not_reached_in_rw(round=rnd, rw_code=RW_A)) == set(mine[4:])
    assert {r.rw for r in reach_by_rw(round=rnd, user=cast.assessor, within=RW_A2)} == {RW_A2}
    # The officer of village A sees its RWs only.
    assert {r.rw for r in reach_by_rw(round=rnd, user=cast.kelurahan)} == {RW_A, RW_A2}


def test_twice_received_is_found_by_the_keyed_hash_across_rws(cast, lists, bast, dist):  # type: ignore[no-untyped-def]
    from ksbb.accounts.models import Role
    from ksbb.accounts.services import membership_grant
    from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
    from ksbb.needs.models import Recipient
    from tests.distribution.conftest import draft_for, make_allocation, sign_all

    # The same family card listed in RW A2 too (moved without being struck off), whose
    # BAST comes from another allocation; the same person leads RW A2 in this test.
    households_import(rows=rows_of(row(50, rw=RW_A2, kk_=kk(1))), by=cast.assessor)
    copy = Household.objects.get(rw_id=RW_A2, kk_hash=identity.keyed_hash("kk", kk(1)))
    original = Household.objects.get(rw_id=RW_A, kk_hash=copy.kk_hash)
    rw_a2 = Recipient.objects.get(area_id=RW_A2)
    membership_grant(user=cast.ketua_rw, role=Role.RECIPIENT_REPRESENTATIVE, recipient=rw_a2,
                     by=SystemActor("test"))
    for cached in ("_ksbb_scope", "_ksbb_household_rws"):  # scopes are cached per request
        cast.ketua_rw.__dict__.pop(cached, None)
    delivery = delivery_schedule(
        allocations=[make_allocation(cast, dist.don, recipient=rw_a2, quantity=5)],
        executor=cast.executor_org, scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    other_bast = sign_all(cast, draft_for(delivery_deliver(delivery=delivery, by=cast.executor),
                                          cast.executor))
    first = handout_record(handover=bast, household=original, by=cast.ketua_rw)
    second = handout_record(handover=other_bast, household=copy, by=cast.ketua_rw)
    assert first.repeat_of is None and (second.repeat_of, second.repeat_match) == (first, "kk")
    today = timezone.localdate()
    groups, total = twice_received(date_from=today - dt.timedelta(days=30), date_to=today,
                                   user=cast.assessor)
    assert total == 1 and groups[0].match == "kk" and len(groups[0].handouts) == 2
    assert groups[0].masked == original.kk_masked
    assert twice_received(date_from=today + dt.timedelta(days=1),
                          date_to=today + dt.timedelta(days=2), user=cast.assessor)[1] == 0
    # The officer of village A sees it (both RWs are in village A); another does not.
    assert twice_received(date_from=today, date_to=today, user=cast.kelurahan)[1] == 1
    assert twice_received(date_from=today, date_to=today, user=cast.executor)[1] == 0


def test_late_distribution_lists_basts_without_handouts(cast, lists, bast):  # type: ignore[no-untyped-def]
    assert list(late_distributions(days=0, user=cast.assessor)) == [bast]
    assert list(late_distributions(days=3, user=cast.assessor)) == []
    handout_record(handover=bast, household=lists.households[0], by=cast.ketua_rw)
    assert list(late_distributions(days=0, user=cast.assessor)) == []


def test_needs_derived_from_deciles(cast, lists):  # type: ignore[no-untyped-def]
    from ksbb.needs.services import round_open
    from tests.donations.conftest import setup_donations

    don = setup_donations(cast)
    Household.objects.filter(rw_id=RW_A, rt=2).update(decile=7)
    rnd = round_open(name="Dari daftar", program=don.pangan, period_start=dt.date(2026, 1, 1),
                     period_end=dt.date(2026, 1, 31), by=cast.assessor)
    report = needs_derive_from_households(round=rnd, item=don.sembako, per_household=2,
                                          by=cast.assessor)
    assert report.ok, report.errors
    needs = {n.recipient.area_id: n.quantity for n in Need.objects.filter(round=rnd)}
    assert needs == {RW_A: 6, RW_A2: 4, RW_OTHER: 2}


# The citizen's check and public figures ------------------------------------------------------

def test_citizen_check_answers_only_for_both_numbers(cast, lists, bast):  # type: ignore[no-untyped-def]
    result = citizen_check(nik=nik(2), kk=kk(2))
    assert result.listed and result.rw_code == RW_A and result.received == ()
    assert result.bast_signed and result.round_id is not None
    assert not citizen_check(nik=nik(2), kk=kk(3)).listed
    assert not citizen_check(nik="3171011505859999", kk=kk(2)).listed
    handout_record(handover=bast, household=Household.objects.get(
        nik_hash=identity.keyed_hash("nik", nik(2))), quantity=2, by=cast.ketua_rw)
    got = citizen_check(nik=f"{nik(2)[:6]} {nik(2)[6:]}", kk=kk(2)).received
    assert [(r.quantity, r.date) for r in got] == [(2, timezone.localdate())]
    assert "head_name" not in result.__dataclass_fields__


def test_public_figures_suppress_small_numbers(cast, lists, bast):  # type: ignore[no-untyped-def]
    for h in Household.objects.filter(rw_id=RW_A)[:5]:
        handout_record(handover=bast, household=h, by=cast.ketua_rw)
    rows = {r.code: r for r in public_figures()}
    # RW A2 has 2 listed and 0 reached (<5); village A shows 8 and 5, so RW A's 6 and 5
    # would give RW A2's counts away by subtraction: hidden as well ("x").
    assert (rows[RW_A2].listed, rows[RW_A2].reached, rows[RW_A2].share) == (None, None, None)
    assert (rows[RW_A2].listed_mark, rows[RW_A2].reached_mark) == ("<5", "<5")
    assert (rows[RW_A].listed, rows[RW_A].reached, rows[RW_A].share) == (None, None, None)
    assert (rows[RW_A].listed_mark, rows[RW_A].reached_mark) == ("x", "x")
    village = rows[RW_A[:13]]
    assert (village.listed, village.reached) == (8, 5)
    assert rows[RW_OTHER].listed is None and rows[RW_OTHER].listed_mark == "<5"
    # Narrowed to one RW, the village is still counted whole (no difference of two views).
    narrowed = {r.code: r for r in public_figures(within=RW_A)}
    assert set(narrowed) == {RW_A[:13], RW_A}
    assert (narrowed[RW_A[:13]].listed, narrowed[RW_A].listed_mark) == (8, "x")


def test_csv_stream_with_a_bom_is_read(cast):  # type: ignore[no-untyped-def]
    from ksbb.core.tables import read_rows

    text = "\ufeffrw_code,rt,kk,nik,name,members\n" + f"{RW_A},1,{kk(1)},{nik(1)},A,1\n"
    rows = list(read_rows(io.BytesIO(text.encode()), required=["rw_code"]))
    assert rows[0][1]["rw_code"] == RW_A


def test_an_xlsx_list_with_a_bad_row_imports_nothing_and_names_the_row(  # type: ignore[no-untyped-def]
        cast, django_capture_on_commit_callbacks, settings, tmp_path):
    from openpyxl import Workbook

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    book = Workbook()
    sheet = book.active
    sheet.append(["rw_code", "rt", "kk", "nik", "name", "members", "decile"])
    sheet.append([RW_A, 1, kk(1), nik(1), "Kepala 1", 3, 2])
    sheet.append([RW_A, 2, kk(2), "3171019999850002", "Kepala 2", 3, ""])
    buf = io.BytesIO()
    book.save(buf)
    upload = SimpleUploadedFile("daftar.xlsx", buf.getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        job = household_import_start(file=upload, by=cast.assessor)
    job.refresh_from_db()
    assert job.state == HouseholdImport.State.FAILED
    assert [(e["row"], e["field"]) for e in job.report["errors"]] == [(3, "nik")]
    assert Household.objects.count() == 0 and not job.file


def test_the_list_is_read_once_and_a_late_bad_row_rolls_back_every_batch(cast, monkeypatch):  # type: ignore[no-untyped-def]
    from ksbb.households import services

    monkeypatch.setattr(services, "BATCH", 2)  # several batches written before the bad row
    calls = []
    good = [(n, row(n)) for n in range(2, 9)]

    def rows():  # type: ignore[no-untyped-def]
        calls.append(1)
        return iter([*good, (9, row(9, nik_="0000000000000000"))])

    report = households_import(rows=rows, by=cast.assessor)
    assert len(calls) == 1
    assert not report.ok and [(e.row, e.field) for e in report.errors] == [(9, "nik")]
    assert report.created == 0
    assert Household.objects.count() == 0
    # The indexes dropped for the first load into an empty table are back.
    with connection.cursor() as cursor:
        names = {c for c, info in connection.introspection.get_constraints(
            cursor, Household._meta.db_table).items() if info["index"]}
    assert {"household_kk", "household_nik", "household_rw_status"} <= names


def test_a_first_load_rebuilds_the_indexes_it_dropped(cast):  # type: ignore[no-untyped-def]
    report = households_import(rows=rows_of(row(1), row(2)), by=cast.assessor)
    assert report.ok and report.created == 2
    with connection.cursor() as cursor:
        names = {c for c, info in connection.introspection.get_constraints(
            cursor, Household._meta.db_table).items() if info["index"]}
    assert {"household_kk", "household_nik", "household_rw_status", "household_rw_rt"} <= names


def test_a_household_added_by_hand_with_a_known_nik_flags_both(cast, lists):  # type: ignore[no-untyped-def]
    from ksbb.areas.models import Area

    added = household_add(rw=Area.objects.get(code=RW_A), rt=2, kk=kk(60), nik=nik(10),
                          name="Orang Baru", members=1, by=cast.ketua_rw)
    other = Household.objects.get(rw_id=RW_A2, nik_hash=added.nik_hash)
    assert added.duplicate_nik and added.is_flagged
    assert other.duplicate_nik and other.is_flagged
