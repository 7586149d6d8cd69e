"""The household API (/api/v1/households/, handouts/, household-reports/): who sees what,
masked numbers only, the ketua RW's tap, the reports for the assessor and the officer."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ksbb.households.models import Handout, Household
from tests.households.conftest import RW_A, RW_A2, RW_OTHER


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_lists_are_narrowed_to_each_role_and_numbers_masked(cast, lists):  # type: ignore[no-untyped-def]
    def rws(user):  # type: ignore[no-untyped-def]
        response = api_for(user).get("/api/v1/households/?limit=100")
        assert response.status_code == 200, response.content
        return sorted({h["rw"] for h in response.json()["results"]})

    assert rws(cast.assessor) == sorted([RW_A, RW_A2, RW_OTHER])
    assert rws(cast.kelurahan) == [RW_A, RW_A2]
    assert rws(cast.ketua_rw) == [RW_A]
    first = api_for(cast.ketua_rw).get(f"/api/v1/households/?rw={RW_A}&rt=1").json()
    assert first["count"] == 3
    record = first["results"][0]
    assert "kk_hash" not in record and "nik_hash" not in record
    assert record["kk_masked"][4:14] == "*" * 10 and record["head_name"]
    for user in (None, cast.admin, cast.executor, cast.aggregator, cast.collaborator):
        assert api_for(user).get("/api/v1/households/").status_code == 403


def test_a_household_of_another_village_is_not_found(cast, lists):  # type: ignore[no-untyped-def]
    other = Household.objects.get(rw_id=RW_OTHER)
    mine = Household.objects.filter(rw_id=RW_A).first()
    assert api_for(cast.kelurahan).get(f"/api/v1/households/{other.pk}/").status_code == 404
    assert api_for(cast.ketua_rw).get(f"/api/v1/households/{other.pk}/").status_code == 404
    assert api_for(cast.ketua_rw).get(f"/api/v1/households/{mine.pk}/").status_code == 200
    assert api_for(cast.assessor).get(f"/api/v1/households/{other.pk}/").status_code == 200
    assert api_for(cast.admin).get(f"/api/v1/households/{mine.pk}/").status_code == 403


def test_the_ketua_rw_records_a_handout_within_the_bast(cast, lists, bast):  # type: ignore[no-untyped-def]
    household = Household.objects.filter(rw_id=RW_A).first()
    body = {"handover": bast.pk, "household": household.pk}
    for user in (cast.assessor, cast.kelurahan, cast.admin, cast.executor):
        assert api_for(user).post("/api/v1/handouts/", body, format="json").status_code == 403
    response = api_for(cast.ketua_rw).post("/api/v1/handouts/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["quantity"] == 1 and response.json()["rw"] == RW_A
    again = api_for(cast.ketua_rw).post("/api/v1/handouts/", body, format="json")
    assert again.status_code == 400 and "household" in again.json()
    other = Household.objects.filter(rw_id=RW_A)[1]
    too_many = api_for(cast.ketua_rw).post(
        "/api/v1/handouts/", {**body, "household": other.pk, "quantity": 40}, format="json")
    assert too_many.status_code == 400 and "quantity" in too_many.json()
    empty = api_for(cast.ketua_rw).post("/api/v1/handouts/", {}, format="json")
    assert empty.status_code == 400 and "handover" in empty.json()
    assert Handout.objects.count() == 1


def test_reports_for_the_assessor_and_the_officer_only(cast, lists, bast):  # type: ignore[no-untyped-def]
    from ksbb.households.services import handout_record

    for household in Household.objects.filter(rw_id=RW_A)[:2]:
        handout_record(handover=bast, household=household, by=cast.ketua_rw)
    rnd = Handout.objects.first().round
    reach = api_for(cast.assessor).get(f"/api/v1/household-reports/reach/?round={rnd.pk}")
    assert reach.status_code == 200
    rows = {r["rw"]: r for r in reach.json()}
    assert (rows[RW_A]["listed"], rows[RW_A]["reached"], rows[RW_A]["not_reached"]) == (6, 2, 4)
    officer = api_for(cast.kelurahan).get("/api/v1/household-reports/reach/").json()
    assert {r["rw"] for r in officer} == {RW_A, RW_A2}  # the latest round, own village
    twice = api_for(cast.kelurahan).get("/api/v1/household-reports/twice/")
    assert twice.status_code == 200 and twice.json() == {"total": 0, "groups": []}
    bad = api_for(cast.assessor).get("/api/v1/household-reports/twice/?date_from=kemarin")
    assert bad.status_code == 400 and "date_from" in bad.json()
    nul = api_for(cast.assessor).get("/api/v1/household-reports/reach/?within=31%00")
    assert nul.status_code == 400
    for user in (None, cast.admin, cast.ketua_rw, cast.executor):
        for report in ("reach", "twice"):
            response = api_for(user).get(f"/api/v1/household-reports/{report}/")
            assert response.status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/households/", "/api/v1/handouts/",
                                  "/api/v1/household-reports/reach/",
                                  "/api/v1/household-reports/twice/"])
def test_the_endpoints_are_in_the_openapi_schema(path):  # type: ignore[no-untyped-def]
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert path in schema.json()["paths"]
