"""The engine's problem built from the database: supplies, needs, areas, restrict_to and
remaining quantities."""

from __future__ import annotations

import pytest
from tests.allocation.conftest import RW_A1, RW_A2, RW_B1, RW_OTHER, need, received, rw

from ksbb.allocation.problem import build_problem
from ksbb.allocation.services import allocation_create_manual
from ksbb.areas.models import Area
from ksbb.donations.services import pledge_submit
from ksbb.needs.services import institution_register


def _pledges(built):  # type: ignore[no-untyped-def]
    return {p["id"]: p for p in built.data["pledges"]}


def test_pledge_areas_and_restrictions(cast, don, food_round):  # type: ignore[no-untyped-def]
    need(food_round, RW_A1, 10, cast.assessor)
    cast.aggregator_org.area = Area.objects.get(code="31.71.01.1002")
    cast.aggregator_org.save()
    plain = received(cast, don, 5)
    preferred = received(cast, don, 6, area="31.71.01")
    for_rw = received(cast, don, 7, recipient=rw(RW_B1))
    cast.collaborator_org.area = Area.objects.get(code="31.75")
    cast.collaborator_org.save()
    from_collaborator = received(cast, don, 8)
    pledges = _pledges(build_problem(food_round))
    assert pledges[f"P{plain.pk}"]["area"] == "31.75"  # collaborator's area now set
    assert pledges[f"P{plain.pk}"]["restrict_to"] is None
    assert pledges[f"P{preferred.pk}"] == {"id": f"P{preferred.pk}", "item": "sembako",
                                           "quantity": 6, "area": "31.71.01",
                                           "restrict_to": "31.71.01"}
    assert pledges[f"P{for_rw.pk}"]["area"] == RW_B1
    assert pledges[f"P{for_rw.pk}"]["restrict_to"] == RW_B1
    assert pledges[f"P{from_collaborator.pk}"]["area"] == "31.75"
    cast.collaborator_org.area = None
    cast.collaborator_org.save()
    pledges = _pledges(build_problem(food_round))
    assert pledges[f"P{plain.pk}"]["area"] == "31.71.01.1002"  # the aggregator's area


def test_only_received_goods_of_the_programme_with_something_left(cast, don, food_round):  # type: ignore[no-untyped-def]
    from ksbb.donations.models import Item

    n1 = need(food_round, RW_A1, 10, cast.assessor)
    need(food_round, RW_A2, 4, cast.assessor, item="beras", priority=3)
    full = received(cast, don, 5)
    left = received(cast, don, 9)
    pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                  item=don.sembako, quantity=5, by=cast.collaborator)  # not received
    received(cast, don, 3, item=Item.objects.get(code="alat-tulis"))  # other programme
    allocation_create_manual(supply=full, need=n1, quantity=5, by=cast.assessor)
    allocation_create_manual(supply=left, need=n1, quantity=2, by=cast.assessor)
    built = build_problem(food_round)
    assert sorted(built.data["pledges"], key=lambda p: p["id"]) == [
        {"id": f"P{left.pk}", "item": "sembako", "quantity": 7, "area": "31",
         "restrict_to": None}]
    needs = {n["recipient"]: n for n in built.data["needs"]}
    assert needs[f"N{n1.pk}"] == {"recipient": f"N{n1.pk}", "item": "sembako", "quantity": 3,
                                  "priority": 1, "area": RW_A1}
    assert [n["item"] for n in needs.values()] == ["sembako", "beras"]
    assert built.needs[f"N{n1.pk}"] == n1


def test_fully_covered_and_unverified_needs_are_left_out(cast, don, food_round):  # type: ignore[no-untyped-def]
    n1 = need(food_round, RW_A1, 2, cast.assessor)
    p = received(cast, don, 5)
    allocation_create_manual(supply=p, need=n1, quantity=2, by=cast.assessor)
    home = institution_register(kind="orphanage", name="Panti", residents=10, address="",
                                contact_name="", contact_phone="",
                                area=Area.objects.get(code="31.75.01.1001"), by=cast.assessor)
    from ksbb.needs.models import Need

    Need.objects.create(round=food_round, recipient=home, item=don.sembako, quantity=3)
    assert build_problem(food_round).data["needs"] == []


def test_purchase_sits_in_its_aggregator_area(cast, don, food_round):  # type: ignore[no-untyped-def]
    from ksbb.donations.services import pledge_receive, purchase_record

    need(food_round, RW_OTHER, 3, cast.assessor)
    cast.aggregator_org.area = Area.objects.get(code="31.71")
    cast.aggregator_org.save()
    money = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                          program=don.pangan, amount=900_000, by=cast.collaborator)
    pledge_receive(pledge=money, received_amount=900_000, by=cast.aggregator)
    bought = purchase_record(aggregator=cast.aggregator_org, item=don.sembako, quantity=3,
                             cost_rupiah=900_000, supplier="Toko", funding=[(money, 900_000)],
                             by=cast.aggregator)
    assert _pledges(build_problem(food_round)) == {f"B{bought.pk}": {
        "id": f"B{bought.pk}", "item": "sembako", "quantity": 3, "area": "31.71",
        "restrict_to": None}}


@pytest.mark.parametrize("quantity", [1, 4])
def test_built_problem_is_accepted_by_the_engine(cast, don, food_round, quantity):  # type: ignore[no-untyped-def]
    from ksbb.allocation.engine import load_problem, solve

    need(food_round, RW_A1, 3, cast.assessor)
    received(cast, don, quantity, area=RW_A1)
    plan = solve(load_problem(build_problem(food_round).data))
    assert sum(a.quantity for a in plan.allocations) == min(quantity, 3)
