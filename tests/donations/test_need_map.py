"""The need list donors pick from (areas down to recipients, with what is pledged), and
the pledge form for money and for a chosen area or recipient."""

from __future__ import annotations

import pytest

from ksbb.areas.models import Area
from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_receive, pledge_submit
from ksbb.needs.models import Recipient
from ksbb.needs.services import need_set
from ksbb.stats.needmap import need_map, need_map_recipients
from tests.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_OTHER
from tests.needs.conftest import food_round  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs(cast, don, food_round):  # type: ignore[no-untyped-def]  # noqa: F811
    rw = {code: Recipient.objects.get(area_id=code) for code in (
        f"{VILLAGE_A}.001", f"{VILLAGE_A}.002", f"{VILLAGE_B}.001", f"{VILLAGE_OTHER}.001")}
    for code, qty in ((f"{VILLAGE_A}.001", 100), (f"{VILLAGE_A}.002", 50),
                      (f"{VILLAGE_B}.001", 30), (f"{VILLAGE_OTHER}.001", 200)):
        need_set(round=food_round, recipient=rw[code], item="sembako", quantity=qty,
                 priority=2, by=cast.assessor)
    return rw


def _pledge(cast, don, qty, **where):  # type: ignore[no-untyped-def]
    return pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                         item=don.sembako, quantity=qty, by=cast.collaborator, **where)


def _confirm_email(cast):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from ksbb.donations.models import CollaboratorProfile

    CollaboratorProfile.objects.filter(organization=cast.collaborator_org).update(
        email_verified_at=timezone.now())


def test_need_map_per_regency_district_village(cast, don, needs):
    _confirm_email(cast)
    _pledge(cast, don, 80, recipient=needs[f"{VILLAGE_A}.001"])  # promised, not covered
    received = _pledge(cast, don, 40, preferred_area=Area.objects.get(code=VILLAGE_B))
    pledge_receive(pledge=received, received_quantity=30, by=cast.aggregator)
    cancelled = _pledge(cast, don, 999, preferred_area=Area.objects.get(code=VILLAGE_A))
    Pledge.objects.filter(pk=cancelled.pk).update(state="cancelled")
    _pledge(cast, don, 5)  # no place: counts nowhere

    regencies = {r.code: r for r in need_map(item_code="sembako")}
    assert regencies["31.71"].need == 180 and regencies["31.71"].covered == 30
    assert regencies["31.71"].received == 30 and regencies["31.71"].promised == 80
    assert regencies["31.75"].need == 200 and regencies["31.75"].covered == 0
    # Least covered first: Jakarta Selatan (0%) before Jakarta Pusat (17%).
    assert [r.code for r in need_map(item_code="sembako")] == ["31.75", "31.71"]
    assert regencies["31.71"].percent == 17 and regencies["31.75"].percent == 0

    villages = {r.code: r for r in need_map(item_code="sembako", within="31.71.01")}
    assert set(villages) == {VILLAGE_A, VILLAGE_B}
    assert (villages[VILLAGE_A].need, villages[VILLAGE_A].covered) == (150, 0)
    assert villages[VILLAGE_A].promised == 80
    assert (villages[VILLAGE_B].need, villages[VILLAGE_B].covered) == (30, 30)
    assert villages[VILLAGE_B].percent == 100
    assert need_map(item_code="beras") == []

    rws = {r.code: r for r in need_map_recipients(item_code="sembako", village=VILLAGE_A)}
    assert rws[f"{VILLAGE_A}.001"].promised == 80 and rws[f"{VILLAGE_A}.001"].need == 100
    assert rws[f"{VILLAGE_A}.001"].covered == 0
    assert rws[f"{VILLAGE_A}.002"].promised == 0
    assert rws[f"{VILLAGE_A}.002"].recipient_id == needs[f"{VILLAGE_A}.002"].pk


@pytest.mark.parametrize(("who", "expected"), [  # public since issue 13
    (None, 200), ("collaborator", 200), ("assessor", 200), ("aggregator", 200),
    ("executor", 200), ("ketua_rw", 200)])
def test_need_page_access(cast, don, client_for, who, expected):
    user = cast.users[who] if who else None
    assert client_for(user).get("/donations/needs/").status_code == expected


def test_need_page_drills_down_to_recipients(cast, don, needs, client_for):
    client = client_for(cast.collaborator)
    body = client.get("/donations/needs/").content.decode()
    assert 'data-code="31.71"' in body and "?within=31.71&amp;item=sembako" in body
    body = client.get(f"/donations/needs/?within={VILLAGE_A}&item=sembako").content.decode()
    recipient = needs[f"{VILLAGE_A}.002"]
    assert f"/donations/pledges/new/?recipient={recipient.pk}&amp;item=sembako" in body
    assert "Pledge for this recipient" in body
    # An unknown item falls back to sembako; a bad area code to the top level.
    assert client.get("/donations/needs/?item=nope&within=xx").status_code == 200
    # The government sees the list but is offered no pledge link.
    body = client_for(cast.assessor).get("/donations/needs/").content.decode()
    assert "Pledge for this area" not in body


def test_pledge_form_for_a_recipient_picked_on_the_list(cast, don, needs, client_for):
    _confirm_email(cast)
    client = client_for(cast.collaborator)
    recipient = needs[f"{VILLAGE_A}.002"]
    body = client.get(f"/donations/pledges/new/?recipient={recipient.pk}&item=sembako"
                      ).content.decode()
    assert 'id="chosen-recipient"' in body and recipient.name in body
    response = client.post("/donations/pledges/new/", {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "kind": "goods", "item": don.sembako.pk, "quantity": "25",
        "recipient": recipient.pk})
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.recipient == recipient
    rows = {r.code: r for r in need_map_recipients(item_code="sembako", village=VILLAGE_A)}
    assert rows[f"{VILLAGE_A}.002"].promised == 25


def test_money_pledge_on_the_page(cast, don, client_for):
    client = client_for(cast.collaborator)
    response = client.post("/donations/pledges/new/", {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "kind": "money", "program": don.pangan.pk, "amount_rupiah": "2500000",
        "preferred_area": VILLAGE_B})
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.kind, pledge.amount_rupiah, pledge.item) == ("money", 2_500_000, None)
    assert pledge.preferred_area_id == VILLAGE_B
    assert "Rp 2,500,000" in client.get(f"/donations/pledges/{pledge.pk}/").content.decode()


@pytest.mark.parametrize(("data", "field_error"), [
    ({"kind": "money", "program": "", "amount_rupiah": "1000"}, "required for a pledge of money"),
    ({"kind": "money", "amount_rupiah": "0"}, "greater than or equal to 1"),
    ({"kind": "goods", "quantity": "3"}, "required for a pledge of goods"),
    ({"kind": "money", "amount_rupiah": "1000", "preferred_area": "31.99"},
     "no area has the code 31.99"),
])
def test_pledge_form_refusals(cast, don, client_for, data, field_error):
    payload = {"collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
               "program": don.pangan.pk, **data}
    response = client_for(cast.collaborator).post("/donations/pledges/new/", payload)
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert not Pledge.objects.exists()


def test_pledge_form_refuses_inactive_programme(cast, don, client_for):
    from ksbb.donations.models import Program

    seni = Program.objects.get(code="SENI_BUDAYA")
    response = client_for(cast.collaborator).post("/donations/pledges/new/", {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "kind": "money", "program": seni.pk, "amount_rupiah": "1000"})
    assert response.status_code == 400 and not Pledge.objects.exists()
