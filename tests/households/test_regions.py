"""Household lists stay inside their region (issue 18): Bandung's assessor, kelurahan officer
and ketua RW see none of Jakarta's households, in no list, count, report or import, page or
API, and Jakarta's none of Bandung's; imports and needs derived from the lists stay in the
importer's and the round's region."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ksbb.distribution.models import Handover
from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
from ksbb.households.models import Household, HouseholdImport
from ksbb.households.services import (
    handout_record,
    households_import,
    needs_derive_from_households,
)
from ksbb.households.tasks import household_import_start
from ksbb.needs.models import AssessmentRound, Need
from ksbb.needs.services import round_open
from tests.conftest import VILLAGE_BANDUNG
from tests.distribution.conftest import draft_for, make_allocation, sign_all
from tests.households.conftest import RW_A, kk, nik, row, rows_of

pytestmark = pytest.mark.django_db

RW_BANDUNG = f"{VILLAGE_BANDUNG}.001"
BANDUNG_DISTRICT = "327301"


@dataclass
class Side:
    households: list[Household]
    round: AssessmentRound
    name: str  # in every head of household's name
    job: HouseholdImport
    late: Handover | None = None
    twice_masked: str = ""


@dataclass
class TwoLists:
    jakarta: Side
    bandung: Side


def _signed_bast(cast: Any, dist: Any) -> Handover:
    delivery = delivery_schedule(
        allocations=[make_allocation(cast, dist.don, quantity=5)], executor=cast.executor_org,
        scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    return sign_all(cast, draft_for(delivery_deliver(delivery=delivery, by=cast.executor),
                                    cast.executor))


def _job(by: Any) -> HouseholdImport:
    # Queued only: the task runs on commit, which a test transaction never reaches.
    return household_import_start(
        file=SimpleUploadedFile("households.csv", b"rw_code,rt,kk,nik,name,members\n"), by=by)


@pytest.fixture
def two_lists(cast: Any, bandung: Any, lists: Any, bast: Handover, dist: Any,
              settings: Any, tmp_path: Any) -> TwoLists:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Jakarta: one household received the same item from two BASTs (twice received), a
    # third BAST has no handout yet (late), one household has a KK of another district.
    first = lists.households[0]
    handout_record(handover=bast, household=first, by=cast.ketua_rw)
    handout_record(handover=_signed_bast(cast, dist), household=first, by=cast.ketua_rw)
    late = _signed_bast(cast, dist)
    assert households_import(rows=rows_of(row(30, kk_=kk(30, district="317501"))),
                             by=cast.assessor).ok
    jakarta_round = AssessmentRound.objects.exclude(region=bandung.region).order_by("pk").first()
    assert jakarta_round is not None
    jakarta = Side(list(Household.objects.filter(rw__code__startswith="31.")),
                   jakarta_round, "Kepala Keluarga", _job(cast.assessor), late,
                   first.kk_masked)
    # Bandung: its own assessor's list, one household flagged (a Jakarta KK), its round.
    records = [row(i, rw=RW_BANDUNG, kk_=kk(i, district=BANDUNG_DISTRICT),
                   nik_=nik(i, district=BANDUNG_DISTRICT), name=f"Warga Bandung {i}",
                   decile="1") for i in range(60, 66)]
    records.append(row(70, rw=RW_BANDUNG, nik_=nik(70, district=BANDUNG_DISTRICT),
                       name="Warga Bandung 70"))
    report = households_import(rows=rows_of(*records), by=bandung.assessor)
    assert report.ok, report.errors
    today = timezone.localdate()
    bandung_round = round_open(name="Pangan Bandung", program=dist.don.pangan,
                               period_start=today, period_end=today + dt.timedelta(days=30),
                               by=bandung.assessor)
    theirs = Side(list(Household.objects.filter(rw_id=RW_BANDUNG)), bandung_round,
                  "Warga Bandung", _job(bandung.assessor))
    assert any(h.is_flagged for h in theirs.households)
    assert any(h.is_flagged for h in jakarta.households)
    return TwoLists(jakarta, theirs)


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


CASES = [(side, role) for side in ("bandung", "jakarta")
         for role in ("assessor", "kelurahan", "ketua_rw")]


@pytest.mark.parametrize(("side", "role"), CASES, ids=[f"{s}-{r}" for s, r in CASES])
def test_household_lists_reports_and_counts_leave_the_other_region_out(
        side: str, role: str, cast: Any, bandung: Any, two_lists: TwoLists,
        client_for: Any) -> None:
    people = bandung if side == "bandung" else cast
    user = getattr(people, role)
    mine = two_lists.bandung if side == "bandung" else two_lists.jakarta
    theirs = two_lists.jakarta if side == "bandung" else two_lists.bandung
    their_ids = {h.pk for h in theirs.households}
    their_rws = {h.rw_id for h in theirs.households}
    c = client_for(user)
    where = f"{side} {role}"

    # The API: the list, flagged or not, and each household.
    listed = _ids(c.get("/api/v1/households/?limit=1000"))
    assert listed and listed <= {h.pk for h in mine.households}, where
    assert not _ids(c.get("/api/v1/households/?flagged=true&limit=1000")) & their_ids, where
    for household in theirs.households[:2]:
        assert c.get(f"/api/v1/households/{household.pk}/").status_code == 404, where
    # The RW lists (page).
    page = c.get(reverse("field:household_rws")).content.decode()
    assert not any(rw in page for rw in their_rws), where
    assert mine.households[0].rw_id in page, where
    if role == "ketua_rw":
        return

    # The reports: reach (the latest round and theirs), twice received, late BASTs.
    for query in ("", f"?round={theirs.round.pk}"):
        reach = c.get(f"/api/v1/household-reports/reach/{query}")
        assert reach.status_code in (200, 404), where
        if reach.status_code == 200:
            assert not {r["rw"] for r in reach.json()} & their_rws, f"{where} {query}"
        page = c.get(reverse("backoffice:household_reach") + query).content.decode()
        assert not any(rw in page for rw in their_rws), f"{where} {query}"
        assert theirs.round.name not in page, f"{where} {query}"
    assert c.get(f"/api/v1/household-reports/reach/?round={theirs.round.pk}") \
        .status_code == 404, where
    today = timezone.localdate()
    twice = c.get("/api/v1/household-reports/twice/",
                  {"date_from": (today - dt.timedelta(days=30)).isoformat(),
                   "date_to": today.isoformat()}).json()
    shown = {h["household"] for g in twice["groups"] for h in g["handouts"]}
    assert not shown & their_ids, where
    if side == "bandung":
        assert twice["total"] == 0, where
    page = c.get(reverse("backoffice:household_twice")).content.decode()
    assert theirs.name not in page, where
    if theirs.twice_masked:
        assert theirs.twice_masked not in page, where
    if theirs.late is not None:
        page = c.get(reverse("backoffice:household_late") + "?days=0").content.decode()
        assert theirs.late.number not in page, where
    # The flagged households: their count on the home page, and the list.
    home = c.get(reverse("backoffice:households"))
    assert home.status_code == 200, where
    flagged = [h for h in mine.households if h.is_flagged]
    if role == "assessor":
        assert home.context["flagged"] == len(flagged), where
    body = home.content.decode()
    assert theirs.round.name not in body, where
    assert reverse("backoffice:household_import", args=[theirs.job.pk]) not in body, where
    page = c.get(reverse("backoffice:household_flags")).content.decode()
    assert theirs.name not in page, where
    if role == "assessor":
        assert mine.name in page, where
        assert c.get(reverse("backoffice:household_import", args=[theirs.job.pk])) \
            .status_code in (403, 404), where
        assert c.get(reverse("backoffice:household_import", args=[mine.job.pk])) \
            .status_code == 200, where


def test_the_reports_still_show_each_regions_own(cast: Any, bandung: Any,
                                                 two_lists: TwoLists, client_for: Any) -> None:
    """The probes above mean something: inside the region the same requests find them."""
    c = client_for(cast.assessor)
    today = timezone.localdate()
    twice = c.get("/api/v1/household-reports/twice/",
                  {"date_from": (today - dt.timedelta(days=30)).isoformat(),
                   "date_to": today.isoformat()}).json()
    assert twice["total"] == 1
    late = c.get(reverse("backoffice:household_late") + "?days=0").content.decode()
    assert two_lists.jakarta.late is not None and two_lists.jakarta.late.number in late
    reach = c.get(f"/api/v1/household-reports/reach/?round={two_lists.jakarta.round.pk}")
    assert RW_A in {r["rw"] for r in reach.json()}
    reach = client_for(bandung.assessor).get(
        f"/api/v1/household-reports/reach/?round={two_lists.bandung.round.pk}")
    assert {r["rw"] for r in reach.json()} == {RW_BANDUNG}


def test_an_import_takes_only_rws_of_the_importers_region(cast: Any, bandung: Any,
                                                          two_lists: TwoLists) -> None:
    report = households_import(rows=rows_of(row(80, rw=RW_A)), by=bandung.assessor)
    assert not report.ok
    assert [e.field for e in report.errors] == ["rw_code"]
    report = households_import(rows=rows_of(
        row(81, rw=RW_BANDUNG, kk_=kk(81, district=BANDUNG_DISTRICT),
            nik_=nik(81, district=BANDUNG_DISTRICT))), by=cast.assessor)
    assert not report.ok and [e.field for e in report.errors] == ["rw_code"]


def test_needs_are_derived_from_the_rounds_own_region(cast: Any, bandung: Any,
                                                      two_lists: TwoLists, dist: Any) -> None:
    report = needs_derive_from_households(round=two_lists.bandung.round, item=dist.don.sembako,
                                          max_decile=4, by=bandung.assessor)
    assert report.ok, report.errors
    needs = Need.objects.filter(round=two_lists.bandung.round)
    assert {n.recipient.area_id for n in needs} == {RW_BANDUNG}
