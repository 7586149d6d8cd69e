"""Every pledge transition and every refusal; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ksbb.core.domain import NotAllowed, Refusal, SystemActor
from ksbb.core.models import AuditEntry
from ksbb.donations.models import AggregatorProfile, Pledge
from ksbb.donations.services import (
    aggregator_can_receive,
    pledge_cancel,
    pledge_complete,
    pledge_mark_allocated,
    pledge_mark_distributed,
    pledge_receive,
    pledge_reject,
    pledge_submit,
)
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db


def _entries(pledge: Pledge) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="donations.pledge",
                                          object_id=str(pledge.pk)).order_by("seq"))


def _unchanged(pledge: Pledge) -> None:
    fresh = Pledge.objects.get(pk=pledge.pk)
    assert fresh.state == pledge.state
    assert fresh.received_quantity == pledge.received_quantity
    assert fresh.received_amount == pledge.received_amount
    assert len(_entries(pledge)) == len(_entries(pledge))


# Submitting.

def test_submit_goods_writes_an_audit_entry_with_the_actor(cast, goods_pledge, don):
    assert goods_pledge.state == Pledge.State.SUBMITTED
    assert goods_pledge.kind == Pledge.Kind.GOODS and goods_pledge.program == don.pangan
    [entry] = _entries(goods_pledge)
    assert entry.action == "pledge.submitted" and entry.actor == cast.collaborator
    assert entry.before is None and entry.after["state"] == "submitted"


def test_submit_money(money_pledge):
    assert money_pledge.kind == Pledge.Kind.MONEY and money_pledge.amount_rupiah == 1_000_000
    assert money_pledge.item is None and money_pledge.quantity is None


def test_submit_with_preferred_area_and_recipient(cast, don):
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           item=don.sembako, quantity=5, preferred_area=cast.recipient.area,
                           recipient=cast.recipient, by=cast.collaborator)
    assert pledge.preferred_area == cast.recipient.area and pledge.recipient == cast.recipient


@pytest.mark.parametrize("quantity", [0, -1, None, 1.5, "3", True])
def test_submit_refuses_bad_quantities(cast, don, quantity):
    with pytest.raises(Refusal) as exc:
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, quantity=quantity, by=cast.collaborator)
    assert "quantity" in exc.value.message_dict
    assert not Pledge.objects.exists()


@pytest.mark.parametrize("amount", [0, -1000, None])
def test_submit_refuses_bad_amounts(cast, don, amount):
    with pytest.raises(Refusal) as exc:
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      program=don.pangan, amount=amount, by=cast.collaborator)
    assert "amount_rupiah" in exc.value.message_dict


def test_submit_refuses_goods_and_money_at_once(cast, don):
    with pytest.raises(Refusal):
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, program=don.pangan, quantity=1, by=cast.collaborator)
    with pytest.raises(Refusal):
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, quantity=1, amount=5, by=cast.collaborator)


@pytest.mark.parametrize("who", ["admin", "assessor", "aggregator", "executor", "outsider"])
def test_submit_refuses_anyone_but_the_collaborators_members(cast, don, who):
    with pytest.raises(NotAllowed):
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, quantity=1, by=cast.users[who])
    with pytest.raises(NotAllowed):
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, quantity=1, by=SETUP)
    assert not Pledge.objects.exists()


def test_submit_refuses_collaborator_of_another_org(cast, don):
    from ksbb.accounts.models import Organization
    from ksbb.accounts.services import organization_create

    other = organization_create(kind=Organization.Kind.COLLABORATOR, name="CV Lain", by=SETUP)
    with pytest.raises(NotAllowed):
        pledge_submit(collaborator=other, aggregator=cast.aggregator_org, item=don.sembako,
                      quantity=1, by=cast.collaborator)


def test_submit_refuses_a_non_collaborator_donor(cast, don):
    with pytest.raises(Refusal) as exc:
        pledge_submit(collaborator=cast.aggregator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, quantity=1, by=cast.aggregator)
    assert "collaborator" in exc.value.message_dict


def test_submit_refuses_unverified_aggregator(cast, don):
    AggregatorProfile.objects.filter(organization=cast.aggregator_org).update(verified_at=None)
    assert not aggregator_can_receive(cast.aggregator_org)
    with pytest.raises(Refusal) as exc:
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, quantity=1, by=cast.collaborator)
    assert "aggregator" in exc.value.message_dict


def test_submit_refuses_expired_aggregator(cast, don):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    AggregatorProfile.objects.filter(organization=cast.aggregator_org).update(
        licence_valid_until=yesterday)
    assert aggregator_can_receive(cast.aggregator_org, on=yesterday)
    assert not aggregator_can_receive(cast.aggregator_org)
    with pytest.raises(Refusal) as exc:
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, quantity=1, by=cast.collaborator)
    assert "aggregator" in exc.value.message_dict


def test_submit_refuses_aggregator_without_licence(cast, don):
    cast.executor_org.kind = "aggregator"
    assert not aggregator_can_receive(cast.executor_org)
    assert not aggregator_can_receive(cast.collaborator_org)


def test_submit_refuses_retired_item_and_inactive_programme(cast, don):
    don.sembako.is_active = False
    don.sembako.save()
    with pytest.raises(Refusal) as exc:
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, quantity=1, by=cast.collaborator)
    assert "item" in exc.value.message_dict
    from ksbb.donations.models import Program

    seni = Program.objects.get(code="SENI_BUDAYA")
    with pytest.raises(Refusal) as exc:
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      program=seni, amount=1000, by=cast.collaborator)
    assert "program" in exc.value.message_dict


# Receiving.

def test_receive_goods(cast, goods_pledge):
    pledge = pledge_receive(pledge=goods_pledge, received_quantity=80, by=cast.aggregator)
    assert pledge.state == Pledge.State.RECEIVED and pledge.received_quantity == 80
    assert pledge.received_at is not None
    entry = _entries(pledge)[-1]
    assert entry.action == "pledge.received" and entry.actor == cast.aggregator
    assert entry.before == {"state": "submitted"}
    assert entry.after["state"] == "received" and entry.after["received_quantity"] == 80


def test_receive_everything_pledged(cast, goods_pledge):
    pledge = pledge_receive(pledge=goods_pledge, received_quantity=100, by=cast.aggregator)
    assert pledge.received_quantity == 100


def test_receive_money(cast, received_money):
    assert received_money.state == Pledge.State.RECEIVED
    assert received_money.received_amount == 900_000


@pytest.mark.parametrize("received", [0, -5, 101, None])
def test_receive_refuses_bad_quantities(cast, goods_pledge, received):
    with pytest.raises(Refusal) as exc:
        pledge_receive(pledge=goods_pledge, received_quantity=received, by=cast.aggregator)
    assert "received_quantity" in exc.value.message_dict
    _unchanged(goods_pledge)
    assert len(_entries(goods_pledge)) == 1


@pytest.mark.parametrize("received", [0, -1, 1_000_001])
def test_receive_refuses_bad_amounts(cast, money_pledge, received):
    with pytest.raises(Refusal) as exc:
        pledge_receive(pledge=money_pledge, received_amount=received, by=cast.aggregator)
    assert "received_amount" in exc.value.message_dict
    assert Pledge.objects.get(pk=money_pledge.pk).state == Pledge.State.SUBMITTED


def test_receive_refuses_the_wrong_measure(cast, goods_pledge, money_pledge):
    with pytest.raises(Refusal):
        pledge_receive(pledge=goods_pledge, received_amount=5, by=cast.aggregator)
    with pytest.raises(Refusal):
        pledge_receive(pledge=money_pledge, received_quantity=5, by=cast.aggregator)


@pytest.mark.parametrize("who", ["admin", "assessor", "executor", "collaborator", "outsider",
                                 "kelurahan", "ketua_rw"])
def test_receive_refuses_anyone_but_that_aggregators_staff(cast, goods_pledge, who):
    with pytest.raises(NotAllowed):
        pledge_receive(pledge=goods_pledge, received_quantity=1, by=cast.users[who])
    assert Pledge.objects.get(pk=goods_pledge.pk).state == Pledge.State.SUBMITTED
    assert len(_entries(goods_pledge)) == 1


def test_receive_refuses_wrong_state(cast, goods_pledge):
    pledge_receive(pledge=goods_pledge, received_quantity=1, by=cast.aggregator)
    with pytest.raises(Refusal):
        pledge_receive(pledge=goods_pledge, received_quantity=1, by=cast.aggregator)
    assert Pledge.objects.get(pk=goods_pledge.pk).received_quantity == 1


def test_receive_refuses_once_the_licence_expired(cast, goods_pledge):
    AggregatorProfile.objects.filter(organization=cast.aggregator_org).update(
        licence_valid_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(Refusal):
        pledge_receive(pledge=goods_pledge, received_quantity=1, by=cast.aggregator)


def test_revoked_staff_cannot_receive(cast, goods_pledge):
    from ksbb.accounts.models import User
    from ksbb.accounts.services import membership_revoke

    membership_revoke(membership=cast.aggregator.memberships.get(), by=cast.admin)
    with pytest.raises(NotAllowed):
        pledge_receive(pledge=goods_pledge, received_quantity=1,
                       by=User.objects.get(pk=cast.aggregator.pk))


# Rejecting and cancelling.

def test_reject(cast, goods_pledge):
    pledge = pledge_reject(pledge=goods_pledge, reason="Gudang penuh", by=cast.aggregator)
    assert pledge.state == Pledge.State.REJECTED and pledge.reason == "Gudang penuh"
    entry = _entries(pledge)[-1]
    assert entry.action == "pledge.rejected" and entry.actor == cast.aggregator
    assert entry.after == {"state": "rejected", "reason": "Gudang penuh"}


def test_reject_needs_a_reason(cast, goods_pledge):
    with pytest.raises(Refusal) as exc:
        pledge_reject(pledge=goods_pledge, reason="  ", by=cast.aggregator)
    assert "reason" in exc.value.message_dict


@pytest.mark.parametrize("who", ["outsider", "collaborator", "admin"])
def test_reject_refuses_others(cast, goods_pledge, who):
    with pytest.raises(NotAllowed):
        pledge_reject(pledge=goods_pledge, reason="x", by=cast.users[who])


def test_reject_refuses_wrong_state(cast, goods_pledge):
    pledge_receive(pledge=goods_pledge, received_quantity=1, by=cast.aggregator)
    with pytest.raises(Refusal):
        pledge_reject(pledge=goods_pledge, reason="x", by=cast.aggregator)


def test_cancel(cast, goods_pledge):
    pledge = pledge_cancel(pledge=goods_pledge, reason="Salah jumlah", by=cast.collaborator)
    assert pledge.state == Pledge.State.CANCELLED
    entry = _entries(pledge)[-1]
    assert entry.action == "pledge.cancelled" and entry.actor == cast.collaborator


@pytest.mark.parametrize("who", ["aggregator", "outsider", "admin"])
def test_cancel_refuses_others(cast, goods_pledge, who):
    with pytest.raises(NotAllowed):
        pledge_cancel(pledge=goods_pledge, reason="x", by=cast.users[who])


@pytest.mark.parametrize("first", ["receive", "reject", "cancel"])
def test_cancel_refuses_once_no_longer_submitted(cast, goods_pledge, first):
    if first == "receive":
        pledge_receive(pledge=goods_pledge, received_quantity=1, by=cast.aggregator)
    elif first == "reject":
        pledge_reject(pledge=goods_pledge, reason="x", by=cast.aggregator)
    else:
        pledge_cancel(pledge=goods_pledge, reason="x", by=cast.collaborator)
    with pytest.raises(Refusal):
        pledge_cancel(pledge=goods_pledge, reason="again", by=cast.collaborator)


# Later steps.

def test_allocated_distributed_completed(cast, goods_pledge):
    pledge_receive(pledge=goods_pledge, received_quantity=10, by=cast.aggregator)
    pledge = pledge_mark_allocated(pledge=goods_pledge, by=cast.assessor)
    pledge = pledge_mark_distributed(pledge=pledge, by=SystemActor("distribution"))
    pledge = pledge_complete(pledge=pledge, by=cast.admin)
    assert pledge.state == Pledge.State.COMPLETED
    assert [e.action for e in _entries(pledge)] == [
        "pledge.submitted", "pledge.received", "pledge.allocated", "pledge.distributed",
        "pledge.completed"]


def test_later_steps_refuse_wrong_state_and_actor(cast, goods_pledge):
    with pytest.raises(Refusal):
        pledge_mark_allocated(pledge=goods_pledge, by=cast.assessor)
    with pytest.raises(Refusal):
        pledge_complete(pledge=goods_pledge, by=cast.assessor)
    pledge_receive(pledge=goods_pledge, received_quantity=10, by=cast.aggregator)
    with pytest.raises(NotAllowed):
        pledge_mark_allocated(pledge=goods_pledge, by=cast.aggregator)
    with pytest.raises(NotAllowed):
        pledge_mark_allocated(pledge=goods_pledge, by=cast.collaborator)
