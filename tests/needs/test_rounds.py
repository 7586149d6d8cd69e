from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ksbb.core.models import AuditEntry
from ksbb.needs.models import AssessmentRound, Need
from ksbb.needs.services import need_set, round_close, round_open

pytestmark = pytest.mark.django_db
D = datetime.date


def test_open_and_close(cast):  # type: ignore[no-untyped-def]
    rnd = round_open(name="Pangan Mei", program="pangan", period_start=D(2020, 5, 1),
                     period_end=D(2020, 5, 1), by=cast.assessor)
    assert rnd.state == "open" and rnd.created_by == cast.assessor
    assert AuditEntry.objects.filter(action="round.opened", object_id=str(rnd.pk)).exists()
    round_close(round=rnd, by=cast.assessor)
    rnd.refresh_from_db()
    assert rnd.state == "closed"
    entry = AuditEntry.objects.get(action="round.closed", object_id=str(rnd.pk))
    assert entry.before == {"state": "open"} and entry.after == {"state": "closed"}
    round_close(round=rnd, by=cast.assessor)  # closing twice changes nothing
    assert AuditEntry.objects.filter(action="round.closed").count() == 1


def test_end_before_start_is_refused(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        round_open(name="X", program="pangan", period_start=D(2020, 5, 2),
                   period_end=D(2020, 5, 1), by=cast.assessor)
    assert "period_end" in info.value.message_dict
    assert not AssessmentRound.objects.exists()


@pytest.mark.parametrize("who", ["aggregator", "executor", "kelurahan", "ketua_rw",
                                 "collaborator", "outsider"])
def test_non_assessors_are_refused(cast, food_round, who):  # type: ignore[no-untyped-def]
    user = cast.users[who]
    with pytest.raises(PermissionDenied):
        round_open(name="X", program="pangan", period_start=D(2020, 5, 1),
                   period_end=D(2020, 5, 2), by=user)
    with pytest.raises(PermissionDenied):
        round_close(round=food_round, by=user)
    with pytest.raises(PermissionDenied):
        need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=1,
                 priority=1, by=user)
    assert AssessmentRound.objects.count() == 1 and not Need.objects.exists()


def test_need_set_records_before_and_after(cast, food_round):  # type: ignore[no-untyped-def]
    need = need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=40,
                    priority=2, by=cast.assessor)
    assert need.source == "manual"
    created = AuditEntry.objects.get(action="need.created")
    assert created.before is None and created.after["quantity"] == 40
    need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=55,
             priority=1, note="Dinkes", by=cast.assessor)
    need.refresh_from_db()
    assert (need.quantity, need.priority, need.note) == (55, 1, "Dinkes")
    updated = AuditEntry.objects.get(action="need.updated")
    assert updated.before["quantity"] == 40 and updated.before["priority"] == 2
    assert updated.after["quantity"] == 55 and updated.after["priority"] == 1
    # The same values again write nothing.
    need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=55,
             priority=1, note="Dinkes", by=cast.assessor)
    assert AuditEntry.objects.filter(action__startswith="need.").count() == 2
    assert Need.objects.count() == 1


@pytest.mark.parametrize(("quantity", "priority", "field"), [
    (0, 1, "quantity"), (-3, 1, "quantity"), (5, 4, "priority"), (5, 0, "priority"),
])
def test_need_set_refuses_bad_values(cast, food_round, quantity, priority, field):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        need_set(round=food_round, recipient=cast.recipient, item="sembako",
                 quantity=quantity, priority=priority, by=cast.assessor)
    assert field in info.value.message_dict
    assert not Need.objects.exists()


def test_closed_round_refuses_needs(cast, food_round):  # type: ignore[no-untyped-def]
    round_close(round=food_round, by=cast.assessor)
    with pytest.raises(ValidationError) as info:
        need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=3,
                 priority=1, by=cast.assessor)
    assert "round" in info.value.message_dict
    assert not Need.objects.exists()


def test_unverified_institution_gets_no_need(cast, food_round):  # type: ignore[no-untyped-def]
    from ksbb.areas.models import Area
    from ksbb.needs.services import institution_register

    r = institution_register(kind="orphanage", name="Panti", residents=None,
                             area=Area.objects.get(code="31.71.01.1001"), address="",
                             contact_name="", contact_phone="", by=cast.assessor)
    with pytest.raises(ValidationError):
        need_set(round=food_round, recipient=r, item="sembako", quantity=3, priority=1,
                 by=cast.assessor)
