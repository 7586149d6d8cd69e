"""Needs refer to the donations catalogue: a round's programme and each need's aid item."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from ksbb.donations.models import Item, Program
from ksbb.needs.models import Need
from ksbb.needs.services import (
    need_set,
    needs_derive_from_poverty,
    needs_import,
    round_open,
)
from tests.needs.conftest import RW_A1, csv_rows


def test_round_programme_is_found_by_code_without_case(cast):  # type: ignore[no-untyped-def]
    rnd = round_open(name="X", program="pangan", period_start=datetime.date(2020, 5, 1),
                     period_end=datetime.date(2020, 5, 2), by=cast.assessor)
    assert rnd.program == Program.objects.get(code="PANGAN")


def test_round_with_unknown_programme_is_refused(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        round_open(name="X", program="nothing", period_start=datetime.date(2020, 5, 1),
                   period_end=datetime.date(2020, 5, 2), by=cast.assessor)
    assert exc.value.message_dict["program"] == ["no programme has the code nothing"]


def test_need_item_must_belong_to_the_round_programme(cast, food_round):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        need_set(round=food_round, recipient=cast.recipient, item="alat-tulis", quantity=1,
                 priority=1, by=cast.assessor)
    assert exc.value.message_dict["item"] == [
        "the aid item alat-tulis does not belong to the programme PANGAN"]
    with pytest.raises(ValidationError) as exc:
        need_set(round=food_round, recipient=cast.recipient, item="nope", quantity=1,
                 priority=1, by=cast.assessor)
    assert exc.value.message_dict["item"] == ["no aid item has the code nope"]
    need = need_set(round=food_round, recipient=cast.recipient,
                    item=Item.objects.get(code="beras"), quantity=1, priority=1,
                    by=cast.assessor)
    assert need.item.code == "beras"


def test_import_rows_name_items_of_the_programme(cast, food_round):  # type: ignore[no-untyped-def]
    report = needs_import(round=food_round, by=cast.assessor, rows=csv_rows(
        f"recipient,item,quantity,priority\n{RW_A1},alat-tulis,1,1\n{RW_A1},zzz,1,1\n"))
    assert [(e.row, e.field) for e in report.errors] == [(2, "item"), (3, "item")]
    assert "does not belong to the programme PANGAN" in report.errors[0].message
    assert not Need.objects.exists()


def test_poverty_import_item_must_belong_to_the_programme(cast, food_round):  # type: ignore[no-untyped-def]
    report = needs_derive_from_poverty(round=food_round, item="komposter", by=cast.assessor,
                                       rows=csv_rows(f"rw_code,poor_households\n{RW_A1},3\n"))
    assert [(e.row, e.field) for e in report.errors] == [(0, "item")]
