"""Back-office allocation pages: start, progress, review, edit, approve, discard, manual
allocation, and who may see them."""

from __future__ import annotations

import pytest
from tests.allocation.conftest import RW_A1, RW_A2, need, received

from ksbb.allocation.models import Allocation, AllocationRun
from ksbb.allocation.services import run_start

pytestmark = pytest.mark.usefixtures("tasks_immediate")

OTHERS = ["aggregator", "executor", "kelurahan", "ketua_rw", "collaborator", "outsider"]


@pytest.fixture
def scene(cast, don, food_round):  # type: ignore[no-untyped-def]
    n1 = need(food_round, RW_A1, 30, cast.assessor)
    n2 = need(food_round, RW_A2, 30, cast.assessor)
    p = received(cast, don, 40)
    return n1, n2, p


@pytest.fixture
def proposed(cast, scene, food_round, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(round=food_round, by=cast.assessor)
    run.refresh_from_db()
    assert run.state == AllocationRun.State.PROPOSED
    return run


def test_start_a_run_from_the_round_page(cast, scene, food_round, client_for,
                                         django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    c = client_for(cast.assessor)
    page = c.get(f"/backoffice/rounds/{food_round.pk}/")
    assert "Run the allocation engine" in page.content.decode()
    assert "Allocate by hand" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(f"/backoffice/rounds/{food_round.pk}/allocation_runs/new/")
    run = AllocationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/backoffice/allocation_runs/{run.pk}/"
    body = c.get(response["Location"]).content.decode()
    assert "proposed, waiting for review" in body
    assert "Gambir" in body and "RW 001" in body  # grouped by area, then recipient
    assert "priority 1, locality:" in body
    assert "Approve and allocate" in body


def test_progress_fragment_polls_until_finished(cast, scene, food_round, client_for):  # type: ignore[no-untyped-def]
    run = run_start(round=food_round, by=cast.assessor)  # stays queued
    c = client_for(cast.assessor)
    fragment = c.get(f"/backoffice/allocation_runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    AllocationRun.objects.filter(pk=run.pk).update(state=AllocationRun.State.PROPOSED)
    fragment = c.get(f"/backoffice/allocation_runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"


def test_edit_and_approve_from_the_page(cast, proposed, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.assessor)
    line = proposed.lines.order_by("pk").first()
    response = c.post(f"/backoffice/allocation_lines/{line.pk}/edit/", {"quantity": 15})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.quantity == 15
    response = c.post(f"/backoffice/allocation_lines/{line.pk}/edit/", {"quantity": 31},
                      follow=True)
    assert "has only 20 left for this line" in response.content.decode()
    response = c.post(f"/backoffice/allocation_runs/{proposed.pk}/approve/", follow=True)
    assert "The run is approved" in response.content.decode()
    assert sum(a.quantity for a in Allocation.objects.all()) == 35


def test_discard_from_the_page(cast, proposed, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.assessor)
    response = c.post(f"/backoffice/allocation_runs/{proposed.pk}/discard/")
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == AllocationRun.State.DISCARDED


def test_manual_allocation_form(cast, scene, food_round, client_for):  # type: ignore[no-untyped-def]
    n1, _n2, p = scene
    c = client_for(cast.assessor)
    url = f"/backoffice/rounds/{food_round.pk}/allocations/new/"
    response = c.post(url, {"supply": f"P-{p.pk}", "recipient": RW_A1, "item": "sembako",
                            "quantity": 12}, follow=True)
    assert "12 of sembako are allocated" in response.content.decode()
    assert Allocation.objects.get().need == n1
    response = c.post(url, {"supply": f"P-{p.pk}", "recipient": RW_A1, "item": "sembako",
                            "quantity": 19}, follow=True)
    assert "needs only 18 more" in response.content.decode()
    response = c.post(url, {"supply": "P-999999", "recipient": RW_A1, "item": "sembako",
                            "quantity": 1}, follow=True)
    assert "no pledge or purchase is known as P-999999" in response.content.decode()
    response = c.post(url, {"supply": f"P-{p.pk}", "recipient": RW_A1, "item": "beras",
                            "quantity": 1}, follow=True)
    assert "this round has no need of Beras" in response.content.decode()
    assert Allocation.objects.count() == 1


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_get_403(cast, proposed, food_round, client_for, role):  # type: ignore[no-untyped-def]
    c = client_for(getattr(cast, role))
    line = proposed.lines.first()
    assert c.get(f"/backoffice/allocation_runs/{proposed.pk}/").status_code == 403
    assert c.get(f"/backoffice/allocation_runs/{proposed.pk}/progress/").status_code == 403
    for url in (f"/backoffice/rounds/{food_round.pk}/allocation_runs/new/",
                f"/backoffice/rounds/{food_round.pk}/allocations/new/",
                f"/backoffice/allocation_runs/{proposed.pk}/approve/",
                f"/backoffice/allocation_runs/{proposed.pk}/discard/",
                f"/backoffice/allocation_lines/{line.pk}/edit/"):
        assert c.post(url, {"quantity": 1}).status_code == 403, url
    proposed.refresh_from_db()
    assert proposed.state == AllocationRun.State.PROPOSED
    assert not Allocation.objects.exists()


def test_admin_reads_but_does_not_allocate(cast, proposed, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.admin)
    body = c.get(f"/backoffice/allocation_runs/{proposed.pk}/").content.decode()
    assert "Approve and allocate" not in body
    assert c.post(f"/backoffice/allocation_runs/{proposed.pk}/approve/").status_code == 403
    assert not Allocation.objects.exists()


def test_anonymous_is_sent_to_sign_in(proposed, client_for):  # type: ignore[no-untyped-def]
    response = client_for(None).get(f"/backoffice/allocation_runs/{proposed.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_review_totals_follow_the_lines(cast, proposed, client_for):  # type: ignore[no-untyped-def]
    """Issue 13, observation 4: after a line was edited (and after approval) the review page
    kept the engine's totals ("Proposed 1188") while the lines summed to less."""
    c = client_for(cast.assessor)
    url = f"/backoffice/allocation_runs/{proposed.pk}/"
    body = c.get(url).content.decode()
    assert 'id="run-proposed">40<' in body and 'data-group="sembako-1">40<' in body
    line = proposed.lines.order_by("pk").first()
    c.post(f"/backoffice/allocation_lines/{line.pk}/edit/", {"quantity": line.quantity - 5})
    body = c.get(url).content.decode()
    assert 'id="run-proposed">35<' in body and 'data-group="sembako-1">35<' in body
    c.post(f"/backoffice/allocation_runs/{proposed.pk}/approve/")
    body = c.get(url).content.decode()
    assert 'id="run-proposed">35<' in body and 'data-group="sembako-1">35<' in body
    api = client_for(cast.assessor).get(f"/api/v1/allocation_runs/{proposed.pk}/").json()
    assert api["summary"]["allocated"] == 35
    assert api["summary"]["coverage_by_item_priority"][0]["allocated"] == 35


def test_closing_the_round_and_discarding_a_run_look_dangerous_and_ask(cast, food_round, proposed, client_for):  # type: ignore[no-untyped-def]  # noqa: E501
    """Issue 15 point 7: a danger style and a confirmation (site.js, data-confirm)."""
    c = client_for(cast.assessor)
    round_page = c.get(f"/backoffice/rounds/{food_round.pk}/").content.decode()
    assert 'data-confirm="Close this round? This cannot be undone."' in round_page
    assert '<button type="submit" class="danger">Close the round</button>' in round_page
    run_page = c.get(f"/backoffice/allocation_runs/{proposed.pk}/").content.decode()
    assert 'data-confirm="Discard this run? This cannot be undone."' in run_page
    assert '<button type="submit" class="danger">Discard this run</button>' in run_page
