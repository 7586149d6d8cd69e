"""Finding a place by name (issue 15, observation 1): the selector every area field and the
as-you-type suggestions read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ksbb.areas.models import Area
from ksbb.areas.selectors import area_label, area_resolve, area_search
from tests.conftest import VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db

VILLAGE_RW = (Area.Level.VILLAGE, Area.Level.RW)


def test_label_shows_the_parents(jakarta: None) -> None:
    gambir = Area.objects.get(code=VILLAGE_A)
    assert area_label(gambir) == "Gambir - Kec. Gambir - Kota Jakarta Pusat"
    assert area_label(Area.objects.get(code=f"{VILLAGE_A}.001")) == \
        "Gambir RW 001 - Kec. Gambir - Kota Jakarta Pusat"
    assert area_label(Area.objects.get(code="31.71.01")) == "Kec. Gambir - Kota Jakarta Pusat"
    assert area_label(Area.objects.get(code="31.71")) == (
        "Kota Jakarta Pusat - Daerah Khusus Ibukota Jakarta")


def test_a_name_is_resolved(jakarta: None) -> None:
    # "Gambir" is both a district and a village: a village is asked for here.
    assert area_resolve("gambir", levels=VILLAGE_RW).area.code == VILLAGE_A  # type: ignore[union-attr]
    assert area_resolve("Cideng", levels=VILLAGE_RW).area.code == VILLAGE_B  # type: ignore[union-attr]
    assert area_resolve("  Kebon   Kelapa ", levels=VILLAGE_RW).area.code == "31.71.01.1005"  # type: ignore[union-attr]


def test_every_label_reads_back_to_its_area(jakarta: None) -> None:
    areas = list(Area.objects.filter(code__startswith="31.71.01").select_related(
        "parent__parent__parent__parent")) + list(Area.objects.filter(code="31.71"))
    for area in areas:
        assert area_resolve(area_label(area)).area == area, area_label(area)


def test_name_with_parent_tells_places_apart(jakarta: None) -> None:
    both = area_resolve("Gambir")
    assert both.problem == "ambiguous"
    assert {a.code for a in both.matches} == {"31.71.01", VILLAGE_A}
    assert area_resolve("Gambir - Jakarta Pusat", levels=[Area.Level.DISTRICT]).area.code \
        == "31.71.01"  # type: ignore[union-attr]
    assert area_resolve("Kec. Gambir").area.code == "31.71.01"  # type: ignore[union-attr]
    assert area_resolve("Kelurahan Gambir, Jakarta Pusat").area.code == VILLAGE_A  # type: ignore[union-attr]
    assert area_resolve("Gambir - Kota Jakarta Barat").problem == "unknown"


def test_rw_by_village_name_and_number(jakarta: None) -> None:
    for text in ("Gambir RW 1", "gambir rw 001", "Gambir RW.1", "RW 1 - Gambir",
                 "Gambir RW 001 - Kec. Gambir - Kota Jakarta Pusat", "Gambir, RW 1"):
        assert area_resolve(text, levels=VILLAGE_RW).area.code == f"{VILLAGE_A}.001", text  # type: ignore[union-attr]
    assert area_resolve("Gambir RW 0", levels=VILLAGE_RW).problem == "no_rw"
    assert area_search("Gambir RW 0", levels=VILLAGE_RW) == []
    missing = area_resolve("Gambir RW 9", levels=VILLAGE_RW)
    assert missing.problem == "no_rw" and missing.rw == 9
    assert area_resolve("Gambir RW 1", levels=[Area.Level.VILLAGE]).problem == "wrong_level"


def test_codes_are_still_accepted(jakarta: None) -> None:
    assert area_resolve(VILLAGE_A).area.code == VILLAGE_A  # type: ignore[union-attr]
    assert area_resolve(f" {VILLAGE_A}.001 ").area.code == f"{VILLAGE_A}.001"  # type: ignore[union-attr]
    assert area_resolve("31.71.01.9999").problem == "unknown_code"
    assert area_resolve("31.71", levels=VILLAGE_RW).problem == "wrong_level"


def test_unknown_name_offers_close_matches(jakarta: None) -> None:
    result = area_resolve("Gambirr", levels=VILLAGE_RW)
    assert result.problem == "unknown"
    assert VILLAGE_A in {a.code for a in result.matches}
    assert area_resolve("Xyzzy").matches == ()


def test_search_as_you_type(jakarta: None) -> None:
    hits = area_search("gamb", levels=VILLAGE_RW)
    assert [a.code for a in hits][:1] == [VILLAGE_A]
    assert all(a.level in VILLAGE_RW for a in hits)
    # A district is offered where any level will do.
    assert "31.71.01" in {a.code for a in area_search("gamb")}
    assert area_search("g") == []


def test_search_lists_the_rws_of_a_chosen_village(jakarta: None) -> None:
    hits = area_search(area_label(Area.objects.get(code=VILLAGE_A)), levels=VILLAGE_RW)
    assert [a.code for a in hits] == [VILLAGE_A, f"{VILLAGE_A}.001", f"{VILLAGE_A}.002"]
    assert [a.code for a in area_search("Gambir RW 2", levels=VILLAGE_RW)] == [
        f"{VILLAGE_A}.002"]
    assert [a.code for a in area_search("31.71.01.100", levels=[Area.Level.VILLAGE])][:2] == [
        VILLAGE_A, VILLAGE_B]


def test_regency_by_its_short_name(jakarta: None) -> None:
    assert area_resolve("Jakarta Pusat").area.code == "31.71"  # type: ignore[union-attr]
    assert area_resolve("Kota Jakarta Selatan").area.code == "31.74"  # type: ignore[union-attr]
    assert "31.71" in {a.code for a in area_search("Jakarta P")}


def test_search_reads_a_few_queries(jakarta: None) -> None:
    with CaptureQueriesContext(connection) as ctx:
        area_search("Menteng", levels=VILLAGE_RW)
    assert len(ctx.captured_queries) <= 6
