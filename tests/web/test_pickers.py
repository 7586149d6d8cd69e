"""Places, items, programmes, recipients and supplies picked by name (issue 15, observation 1:
"Gambir RW 3" was refused with "no area has the code ..."). Each form that asked for a typed
code takes the name, still takes the code, and refuses an unknown text with a translated
error that names the field."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from ksbb.areas.models import Area
from ksbb.donations.models import Item
from ksbb.needs.models import Recipient
from ksbb.needs.services import institution_register, institution_verify, need_set, round_open
from ksbb.web.backoffice.allocation_forms import ManualAllocationForm
from ksbb.web.backoffice.needs_forms import InstitutionForm, NeedForm, PovertyFileForm, RoundForm
from ksbb.web.donations.forms import CollaboratorRegisterForm, PledgeForm
from ksbb.web.public.reports_forms import ReportForm
from tests.allocation.conftest import received
from tests.conftest import VILLAGE_A
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db

RW_A1 = f"{VILLAGE_A}.001"
GAMBIR_RW_1 = "Gambir RW 001 - Kec. Gambir - Kota Jakarta Pusat"


def _report(area: str) -> ReportForm:
    return ReportForm({"category": "other", "area": area, "description": "x"},
                      need_challenge=False)


@pytest.mark.parametrize(("text", "code"), [
    ("Gambir RW 1", RW_A1), ("gambir rw 001", RW_A1), (GAMBIR_RW_1, RW_A1),
    ("Gambir", VILLAGE_A), (RW_A1, RW_A1), (VILLAGE_A, VILLAGE_A),
])
def test_report_form_takes_a_name_or_a_code(jakarta: None, text: str, code: str) -> None:
    form = _report(text)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["area"].code == code


def test_report_form_refusals_name_the_field_in_indonesian(jakarta: None) -> None:
    with translation.override("id"):
        unknown = _report("Gambirr")
        assert not unknown.is_valid()
        message = unknown.errors["area"][0]
        assert message.startswith("Kelurahan atau RW:"), message
        assert "Gambir - Kec. Gambir - Kota Jakarta Pusat" in message
        missing = _report("Gambir RW 9")
        assert not missing.is_valid()
        assert "RW 9" in missing.errors["area"][0]
        city = _report("Jakarta Pusat")
        assert not city.is_valid() and "Kelurahan atau RW:" in city.errors["area"][0]


def test_report_form_shows_a_prefilled_code_as_its_name(jakarta: None) -> None:
    html = str(ReportForm(initial={"area": RW_A1})["area"])
    assert f'value="{GAMBIR_RW_1}"' in html
    # Suggestions as the person types (htmx), into a box under the field.
    assert 'hx-get="/areas/search/?field=area&amp;levels=4%2C5"' in html
    assert 'id="id_area-suggest"' in html


def test_registration_takes_any_level_by_name(jakarta: None) -> None:
    base = {"kind": "individual", "name": "Budi", "email": "b@example.com",
            "password": "correct-horse-battery-9"}
    for text, code in (("Jakarta Pusat", "31.71"), ("Kec. Gambir", "31.71.01"),
                       ("31.71.01.1001", VILLAGE_A), ("", None)):
        form = CollaboratorRegisterForm({**base, "area": text})
        assert form.is_valid(), (text, form.errors)
        assert (form.cleaned_data["area"] and form.cleaned_data["area"].code) == code
    form = CollaboratorRegisterForm({**base, "area": "Atlantis"})
    assert not form.is_valid()
    assert form.errors["area"][0].startswith("Your area (optional): no place is called")


@pytest.fixture
def don(cast: Any) -> Any:
    return setup_donations(cast)


def test_pledge_form_items_are_choices_and_area_a_name(cast: Any, don: Any) -> None:
    data = {"collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
            "kind": "goods", "item": don.sembako.pk, "quantity": "5"}
    form = PledgeForm({**data, "preferred_area": "Gambir RW 1"}, user=cast.collaborator)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["preferred_area"].code == RW_A1
    assert PledgeForm({**data, "preferred_area": VILLAGE_A}, user=cast.collaborator).is_valid()
    refused = PledgeForm({**data, "preferred_area": "Nowhere"}, user=cast.collaborator)
    assert not refused.is_valid()
    assert refused.errors["preferred_area"][0].startswith("Preferred area (optional):")
    html = str(PledgeForm(user=cast.collaborator)["item"])
    assert "<select" in html and "Paket sembako" in html


def test_institution_form(cast: Any) -> None:
    base = {"kind": "orphanage", "name": "Panti Kasih"}
    assert InstitutionForm({**base, "area": "Gambir RW 2"}).is_valid()
    form = InstitutionForm({**base, "area": f"{VILLAGE_A}.002"})
    assert form.is_valid() and form.cleaned_data["area"].code == f"{VILLAGE_A}.002"
    form = InstitutionForm({**base, "area": "Zzz"})
    assert not form.is_valid() and form.errors["area"][0].startswith("Village or RW:")


@pytest.fixture
def food_round(cast: Any, don: Any) -> Any:
    return round_open(name="Pangan", program="pangan", period_start=datetime.date(2020, 5, 1),
                      period_end=datetime.date(2020, 5, 31), by=cast.assessor)


@pytest.fixture
def panti(cast: Any) -> Recipient:
    r = institution_register(kind="orphanage", name="Panti Asuhan Kasih",
                             area=Area.objects.get(code=RW_A1), residents=20, address="",
                             contact_name="", contact_phone="", by=cast.assessor)
    return institution_verify(recipient=r, by=cast.assessor)


def test_round_form_programme_is_a_choice(cast: Any, don: Any) -> None:
    html = str(RoundForm()["program"])
    assert "<select" in html and "PANGAN" in html
    data = {"name": "Juni", "period_start": "2020-06-01", "period_end": "2020-06-30"}
    assert RoundForm({**data, "program": "pangan"}).is_valid()
    assert not RoundForm({**data, "program": "nope"}).is_valid()


def test_need_form_recipient_by_name_item_by_choice(cast: Any, food_round: Any,
                                                    panti: Recipient) -> None:
    base = {"item": "sembako", "quantity": "3", "priority": "1"}
    rw = Recipient.objects.get(kind=Recipient.Kind.RW, area_id=RW_A1)
    for text, expected in (("Gambir RW 1", rw), (GAMBIR_RW_1, rw), (RW_A1, rw),
                           ("Panti Asuhan Kasih", panti), (f"I-{panti.pk}", panti),
                           (f"Panti Asuhan Kasih - {GAMBIR_RW_1}", panti)):
        form = NeedForm({**base, "recipient": text}, round=food_round)
        assert form.is_valid(), (text, form.errors)
        assert form.cleaned_data["recipient"] == expected
    form = NeedForm({**base, "recipient": "Kebon Sirih RW 77"}, round=food_round)
    assert not form.is_valid() and form.errors["recipient"][0].startswith("Recipient:")
    # The items of the round's programme, by name; another programme's item is refused.
    html = str(NeedForm(round=food_round)["item"])
    assert "<select" in html and ">Paket sembako" in html
    other = Item.objects.exclude(program=food_round.program).first()
    assert other is not None and other.name not in html
    assert not NeedForm({**base, "recipient": "Gambir RW 1", "item": other.code},
                        round=food_round).is_valid()
    poverty = str(PovertyFileForm(round=food_round)["item"])
    assert "<select" in poverty and 'value="sembako" selected' in poverty


def test_manual_allocation_offers_supplies_by_name(cast: Any, don: Any,
                                                   food_round: Any) -> None:
    rw = Recipient.objects.get(kind=Recipient.Kind.RW, area_id=RW_A1)
    need = need_set(round=food_round, recipient=rw, item="sembako", quantity=10, priority=1,
                    by=cast.assessor)
    pledge = received(cast, don, 7)
    html = str(ManualAllocationForm(round=food_round)["supply"])
    assert f'<option value="P-{pledge.pk}">Paket sembako from' in html
    assert "7 left" in html
    form = ManualAllocationForm({"supply": f"P-{pledge.pk}", "recipient": "Gambir RW 1",
                                 "item": "sembako", "quantity": "2"}, round=food_round)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["need"] == need
    form = ManualAllocationForm({"supply": f"P-{pledge.pk}", "recipient": "Gambir RW 2",
                                 "item": "sembako", "quantity": "2"}, round=food_round)
    assert not form.is_valid() and "this round has no need of" in str(form.errors)


def test_area_suggestions_fragment(jakarta: None, client: Any) -> None:
    body = client.get("/areas/search/", {"field": "area", "area": "gamb",
                                         "levels": "4,5"}).content.decode()
    assert 'data-pick="Gambir - Kec. Gambir - Kota Jakarta Pusat" data-more' in body
    body = client.get("/areas/search/", {"field": "area", "levels": "4,5",
                                         "area": "Gambir - Kec. Gambir - Kota Jakarta Pusat"}
                      ).content.decode()
    assert f'data-pick="{GAMBIR_RW_1}"' in body
    body = client.get("/areas/search/", {"q": "Xyzzy"}).content.decode()
    assert "data-pick" not in body and "No place" in body


def test_recipient_suggestions_name_institutions(cast: Any, panti: Recipient,
                                                 client: Any) -> None:
    body = client.get("/recipients/search/", {"field": "recipient", "recipient": "panti"}
                      ).content.decode()
    assert f'data-pick="Panti Asuhan Kasih - {GAMBIR_RW_1}"' in body


def test_schedule_filter_takes_a_place_by_name(cast: Any, don: Any, client_for: Any) -> None:
    from tests.distribution.conftest import make_allocation

    here = make_allocation(cast, don)
    there = make_allocation(cast, don, recipient=cast.other_recipient)
    client = client_for(cast.assessor)
    page = client.get("/backoffice/deliveries/schedule/", {"within": "Kec. Gambir"}
                      ).content.decode()
    assert f'value="{here.pk}"' in page and f'value="{there.pk}"' not in page
    page = client.get("/backoffice/deliveries/schedule/", {"within": "Atlantis"}
                      ).content.decode()
    assert "Area: no place is called “Atlantis”" in page
    assert f'value="{here.pk}"' in page and f'value="{there.pk}"' in page


def test_reach_report_filter_takes_a_place_by_name(cast: Any, client_for: Any) -> None:
    client = client_for(cast.assessor)
    page = client.get("/backoffice/households/reach/", {"within": "Gambir RW 1"}
                      ).content.decode()
    assert 'value="Gambir RW 1"' in page and "errorlist" not in page
    page = client.get("/backoffice/households/reach/", {"within": "Atlantis"}).content.decode()
    assert "Area: no place is called “Atlantis”" in page
