"""What the full journey (tests/e2e/test_full_journey.py) found, fixed and kept fixed:
the schedule page narrowed to an area, the engine's locality words translated, and the
aggregator's inbox readable as cards on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from ksbb.distribution.models import Delivery
from ksbb.donations.services import pledge_submit
from ksbb.web.templatetags.ksbb_allocation import locality
from tests.distribution.conftest import make_allocation
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db

SCHEDULE = "/backoffice/deliveries/schedule/"


@pytest.fixture
def waiting(cast):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    return make_allocation(cast, don), make_allocation(cast, don, recipient=cast.other_recipient)


def test_schedule_page_narrows_to_an_area(cast, client_for, waiting):  # type: ignore[no-untyped-def]
    here, there = waiting
    page = client_for(cast.assessor).get(SCHEDULE, {"within": "31.71"}).content.decode()
    assert f'value="{here.pk}"' in page and f'value="{there.pk}"' not in page
    # The filter keeps the place, shown by its name (issue 15).
    assert 'value="Kota Jakarta Pusat - Daerah Khusus Ibukota Jakarta"' in page
    everything = client_for(cast.assessor).get(SCHEDULE).content.decode()
    assert f'value="{here.pk}"' in everything and f'value="{there.pk}"' in everything


def test_scheduling_keeps_the_area_filter(cast, client_for, waiting):  # type: ignore[no-untyped-def]
    here, _there = waiting
    response = client_for(cast.assessor).post(f"{SCHEDULE}?within=31.71", {
        "allocation": [here.pk], "executor": cast.executor_org.pk,
        "scheduled_for": (dt.date.today() + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 302
    assert response["Location"] == f"{SCHEDULE}?within=31.71"
    assert Delivery.objects.get().recipient == cast.recipient


def test_locality_words_are_translated() -> None:
    with translation.override("en"):
        assert locality("regency") == "same regency/city"
        assert locality("other") == "another province"
        assert locality("unknown-level") == "unknown-level"


def test_inbox_rows_are_labelled_for_phones(cast, client_for):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                  item=don.sembako, quantity=10, by=cast.collaborator)
    page = client_for(cast.aggregator).get("/donations/inbox/").content.decode()
    assert '<table class="cards">' in page
    assert 'data-label="Collaborator"' in page


def test_delivery_rows_are_labelled_for_phones(cast, client_for):  # type: ignore[no-untyped-def]
    page = client_for(cast.executor).get("/field/deliveries/").content.decode()
    assert '<table class="cards">' in page


def test_report_history_names_people_not_log_labels(cast):  # type: ignore[no-untyped-def]
    from ksbb.areas.models import Area
    from ksbb.reports.selectors import report_history
    from ksbb.reports.services import report_submit, report_triage

    area = Area.objects.get(code=cast.recipient.area_id)
    report = report_submit(category="short_quantity", area=area,
                           description="Dua paket kurang.", by=None)
    report_triage(report=report, assigned_to=cast.assessor, priority="normal", by=cast.assessor)
    with translation.override("id"):
        names = [step.actor_label for step in report_history(report)]
    assert names == ["anonim", str(cast.assessor)]


def test_report_form_says_what_the_empty_organisation_means(client):  # type: ignore[no-untyped-def]
    page = client.get("/reports/new/").content.decode()
    assert "not known, or none" in page and "---------" not in page
