"""/api/v1/allocation_runs/ and /api/v1/allocations/, role by role and object by object."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from tests.allocation.conftest import RW_A1, RW_A2, need, received
from tests.conftest import SETUP

from ksbb.allocation.models import Allocation, AllocationRun
from ksbb.allocation.services import allocation_create_manual, run_start

pytestmark = pytest.mark.usefixtures("tasks_immediate")

NOT_GOVERNMENT = ["aggregator", "executor", "kelurahan", "ketua_rw", "collaborator",
                  "outsider"]


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


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
    return run


def test_assessor_starts_reviews_and_approves_a_run(cast, scene, food_round,
                                                    django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    api = api_for(cast.assessor)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/allocation_runs/", {"round": food_round.pk}, format="json")
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    body = api.get(f"/api/v1/allocation_runs/{run_id}/").json()
    assert body["state"] == "proposed" and body["summary"]["allocated"] == 40
    lines = api.get(f"/api/v1/allocation_runs/{run_id}/lines/").json()
    assert lines["count"] == 2
    assert {ln["item"] for ln in lines["results"]} == {"sembako"}
    assert lines["results"][0]["reason"]["locality"]
    response = api.post(f"/api/v1/allocation_runs/{run_id}/approve/")
    assert response.status_code == 200 and response.json()["state"] == "approved"
    response = api.post(f"/api/v1/allocation_runs/{run_id}/approve/")
    assert response.status_code == 400 and "run" in response.json()
    assert Allocation.objects.count() == 2


def test_discard_and_closed_round(cast, proposed, food_round):  # type: ignore[no-untyped-def]
    from ksbb.needs.services import round_close

    api = api_for(cast.assessor)
    assert api.post(f"/api/v1/allocation_runs/{proposed.pk}/discard/").json()["state"] == \
        "discarded"
    round_close(round=food_round, by=cast.assessor)
    response = api.post("/api/v1/allocation_runs/", {"round": food_round.pk}, format="json")
    assert response.status_code == 400 and "round" in response.json()


def test_admin_reads_runs_but_cannot_start_or_approve(cast, proposed, food_round):  # type: ignore[no-untyped-def]
    api = api_for(cast.admin)
    assert api.get("/api/v1/allocation_runs/").json()["count"] == 1
    assert api.post(f"/api/v1/allocation_runs/{proposed.pk}/approve/").status_code == 403
    assert api.post("/api/v1/allocation_runs/", {"round": food_round.pk},
                    format="json").status_code == 403


@pytest.mark.parametrize("role", NOT_GOVERNMENT)
def test_runs_are_government_only(cast, proposed, food_round, role):  # type: ignore[no-untyped-def]
    api = api_for(getattr(cast, role))
    assert api.get("/api/v1/allocation_runs/").status_code == 403
    assert api.get(f"/api/v1/allocation_runs/{proposed.pk}/").status_code == 403
    assert api.get(f"/api/v1/allocation_runs/{proposed.pk}/lines/").status_code == 403
    assert api.post(f"/api/v1/allocation_runs/{proposed.pk}/approve/").status_code == 403
    assert api.post("/api/v1/allocation_runs/", {"round": food_round.pk},
                    format="json").status_code == 403
    proposed.refresh_from_db()
    assert proposed.state == AllocationRun.State.PROPOSED
    assert api_for(None).get("/api/v1/allocation_runs/").status_code in (401, 403)


def test_allocations_object_level(cast, scene, don):  # type: ignore[no-untyped-def]
    n1, n2, p = scene
    mine = allocation_create_manual(supply=p, need=n1, quantity=5, by=cast.assessor)
    # A pledge from another collaborator through the other aggregator.
    from ksbb.accounts.models import Organization
    from ksbb.accounts.services import organization_create
    from ksbb.donations.models import Pledge

    other_org = organization_create(kind=Organization.Kind.COLLABORATOR, name="CV Lain",
                                    by=SETUP)
    other_pledge = Pledge.objects.create(
        collaborator=other_org, aggregator=cast.outsider_org, kind=Pledge.Kind.GOODS,
        program=don.pangan, item=don.sembako, quantity=5, received_quantity=5,
        state=Pledge.State.RECEIVED)
    theirs = allocation_create_manual(supply=other_pledge, need=n2, quantity=5,
                                      by=cast.assessor)

    def ids(user):  # type: ignore[no-untyped-def]
        return {a["id"] for a in api_for(user).get("/api/v1/allocations/").json()["results"]}

    assert ids(cast.assessor) == {mine.pk, theirs.pk}
    assert ids(cast.admin) == {mine.pk, theirs.pk}
    assert ids(cast.aggregator) == {mine.pk}
    assert ids(cast.collaborator) == {mine.pk}
    assert ids(cast.outsider) == {theirs.pk}
    for role in ("executor", "kelurahan", "ketua_rw"):
        assert ids(getattr(cast, role)) == set()
    assert api_for(cast.aggregator).get(f"/api/v1/allocations/{theirs.pk}/").status_code == 404
    assert api_for(cast.outsider).get(f"/api/v1/allocations/{mine.pk}/").status_code == 404
    body = api_for(cast.collaborator).get(f"/api/v1/allocations/{mine.pk}/").json()
    assert body["item"] == "sembako" and body["quantity"] == 5 and body["pledge"] == p.pk


def test_manual_allocation_over_the_api(cast, scene):  # type: ignore[no-untyped-def]
    n1, _n2, p = scene
    api = api_for(cast.assessor)
    response = api.post("/api/v1/allocations/", {"supply": f"P-{p.pk}", "need": n1.pk,
                                                 "quantity": 7}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["quantity"] == 7 and response.json()["run"] is None
    response = api.post("/api/v1/allocations/", {"supply": f"P-{p.pk}", "need": n1.pk,
                                                 "quantity": 24}, format="json")
    assert response.status_code == 400 and "quantity" in response.json()
    response = api.post("/api/v1/allocations/", {"supply": "X-1", "need": n1.pk,
                                                 "quantity": 1}, format="json")
    assert response.status_code == 400 and "supply" in response.json()
    for role in ["admin", *NOT_GOVERNMENT]:
        response = api_for(getattr(cast, role)).post(
            "/api/v1/allocations/", {"supply": f"P-{p.pk}", "need": n1.pk, "quantity": 1},
            format="json")
        assert response.status_code == 403, role
    assert Allocation.objects.count() == 1
