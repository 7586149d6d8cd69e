"""Money turned into goods, traced pro rata; items in use are retired, never deleted."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from ksbb.core.domain import NotAllowed, Refusal
from ksbb.core.models import AuditEntry
from ksbb.donations.models import Item, Pledge, Program
from ksbb.donations.selectors import _largest_remainder, units_bought, units_bought_by_pledge
from ksbb.donations.services import (
    item_delete,
    item_retire,
    pledge_money_remaining,
    pledge_receive,
    pledge_submit,
    purchase_record,
)

pytestmark = pytest.mark.django_db


def _money(cast, don, amount, received):  # type: ignore[no-untyped-def]
    p = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      program=don.pangan, amount=amount, by=cast.collaborator)
    return pledge_receive(pledge=p, received_amount=received, by=cast.aggregator)


def _buy(cast, don, funding, quantity=10, cost=3_000_000, by=None):  # type: ignore[no-untyped-def]
    return purchase_record(aggregator=cast.aggregator_org, item=don.sembako, quantity=quantity,
                           cost_rupiah=cost, supplier="Toko Beras Jaya", funding=funding,
                           by=by or cast.aggregator)


def test_purchase_traces_units_pro_rata(cast, don):
    a = _money(cast, don, 1_000_000, 1_000_000)
    b = _money(cast, don, 2_000_000, 2_000_000)
    purchase = _buy(cast, don, [(a, 1_000_000), (b, 2_000_000)])
    assert units_bought_by_pledge(a) == 3 and units_bought_by_pledge(b) == 7
    assert pledge_money_remaining(a) == 0
    entry = AuditEntry.objects.get(action="purchase.recorded")
    assert entry.actor == cast.aggregator and entry.object_id == str(purchase.pk)
    assert sum(u.units for rows in units_bought().values() for u in rows) == 10


def test_largest_remainder_is_whole_and_exact():
    assert _largest_remainder(10, 300, [100, 100, 100]) == [4, 3, 3]
    assert _largest_remainder(10, 300, [100, 200]) == [3, 7]
    assert _largest_remainder(10, 400, [100, 200]) == [2, 5]  # a quarter was not pledged
    assert sum(_largest_remainder(7, 7, [1, 2, 4])) == 7


def test_purchase_refuses_more_than_the_money_left(cast, received_money, don):
    _buy(cast, don, [(received_money, 600_000)], cost=600_000)
    with pytest.raises(Refusal) as exc:
        _buy(cast, don, [(received_money, 300_001)], cost=300_001)
    assert "funding" in exc.value.message_dict
    assert pledge_money_remaining(received_money) == 300_000


@pytest.mark.parametrize(("funding_amount", "cost", "quantity"), [
    (0, 100, 1), (-5, 100, 1), (200, 100, 1), (100, 0, 1), (100, 100, 0)])
def test_purchase_refuses_bad_numbers(cast, received_money, don, funding_amount, cost,
                                      quantity):
    with pytest.raises(Refusal):
        _buy(cast, don, [(received_money, funding_amount)], cost=cost, quantity=quantity)


def test_purchase_refuses_unreceived_goods_and_foreign_pledges(cast, don, money_pledge,
                                                               goods_pledge):
    with pytest.raises(Refusal):
        _buy(cast, don, [(money_pledge, 100)], cost=100)
    pledge_receive(pledge=goods_pledge, received_quantity=1, by=cast.aggregator)
    with pytest.raises(Refusal):
        _buy(cast, don, [(goods_pledge, 100)], cost=100)
    with pytest.raises(Refusal):
        _buy(cast, don, [], cost=100)


def test_purchase_refuses_another_programme(cast, received_money):
    tablet = Item.objects.get(name="Tablet untuk belajar daring")
    with pytest.raises(Refusal):
        purchase_record(aggregator=cast.aggregator_org, item=tablet, quantity=1,
                        cost_rupiah=100, supplier="x", funding=[(received_money, 100)],
                        by=cast.aggregator)


@pytest.mark.parametrize("who", ["outsider", "collaborator", "admin", "assessor"])
def test_purchase_refuses_other_actors(cast, don, received_money, who):
    with pytest.raises(NotAllowed):
        _buy(cast, don, [(received_money, 100)], cost=100, by=cast.users[who])


def test_purchase_refuses_pledge_to_another_aggregator(cast, don, received_money):
    with pytest.raises(NotAllowed):
        purchase_record(aggregator=cast.outsider_org, item=don.sembako, quantity=1,
                        cost_rupiah=100, supplier="x", funding=[(received_money, 100)],
                        by=cast.aggregator)
    with pytest.raises(Refusal):
        purchase_record(aggregator=cast.outsider_org, item=don.sembako, quantity=1,
                        cost_rupiah=100, supplier="x", funding=[(received_money, 100)],
                        by=cast.outsider)


def test_seeded_programmes():
    assert set(Program.objects.filter(is_active=True).values_list("code", flat=True)) == {
        "PANGAN", "PENDIDIKAN", "UMKM", "PERMUKIMAN", "PERSAMPAHAN"}
    assert set(Program.objects.filter(is_active=False).values_list("code", flat=True)) == {
        "SENI_BUDAYA", "URBAN_FARMING"}
    for program in Program.objects.all():
        assert 2 <= program.items.count() <= 4
    assert Item.objects.get(name="Paket sembako").value_rupiah == 300_000


def test_seed_is_idempotent():
    from django.core.management import call_command

    before = Item.objects.count()
    call_command("seed_programs")
    assert Item.objects.count() == before


def test_items_in_use_are_retired_not_deleted(cast, goods_pledge, don):
    with pytest.raises(Refusal) as exc:
        item_delete(item=don.sembako, by=cast.admin)
    assert "retire" in str(exc.value)
    with pytest.raises(ProtectedError):
        don.sembako.delete()
    with pytest.raises(NotAllowed):
        item_retire(item=don.sembako, by=cast.collaborator)
    item_retire(item=don.sembako, by=cast.admin)
    assert not Item.objects.get(pk=don.sembako.pk).is_active
    assert Pledge.objects.filter(pk=goods_pledge.pk).exists()
    item_delete(item=don.ready_meal, by=cast.admin)
    assert not Item.objects.filter(pk=don.ready_meal.pk).exists()
