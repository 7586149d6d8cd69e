"""/api/v1/deliveries and /api/v1/handovers: visibility per role (another's record is 404),
transitions as actions, refusals as 400 with field names or 403, the PDF download."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from ksbb.distribution.models import Delivery, Handover
from tests.distribution.conftest import make_allocation
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def allocation(cast):  # type: ignore[no-untyped-def]
    return make_allocation(cast, setup_donations(cast))


@pytest.fixture
def delivery_id(cast, allocation) -> int:  # type: ignore[no-untyped-def]
    r = api(cast.aggregator).post("/api/v1/deliveries/", {
        "allocations": [allocation.pk], "executor": cast.executor_org.pk,
        "scheduled_for": timezone.localdate().isoformat()}, format="json")
    assert r.status_code == 201, r.content
    return int(r.json()["id"])


def _deliver(cast, pk: int) -> None:  # type: ignore[no-untyped-def]
    assert api(cast.executor).post(f"/api/v1/deliveries/{pk}/dispatch/").status_code == 200
    assert api(cast.executor).post(f"/api/v1/deliveries/{pk}/deliver/").status_code == 200


def test_schedule_refusals(cast, allocation):
    body = {"allocations": [allocation.pk], "executor": cast.executor_org.pk,
            "scheduled_for": timezone.localdate().isoformat()}
    assert api(None).post("/api/v1/deliveries/", body, format="json").status_code in (401, 403)
    assert api(cast.executor).post("/api/v1/deliveries/", body,
                                   format="json").status_code == 403
    r = api(cast.assessor).post("/api/v1/deliveries/", {**body, "allocations": [999999]},
                                format="json")
    assert r.status_code == 400 and "allocations" in r.json()


def test_visibility_per_role(cast, delivery_id):
    url = f"/api/v1/deliveries/{delivery_id}/"
    for who in ("admin", "assessor", "aggregator", "executor", "kelurahan", "ketua_rw"):
        assert api(getattr(cast, who)).get(url).status_code == 200, who
        ids = [d["id"] for d in api(getattr(cast, who)).get("/api/v1/deliveries/").json()[
            "results"]]
        assert ids == [delivery_id], who
    for who in ("collaborator", "outsider"):
        assert api(getattr(cast, who)).get(url).status_code == 404, who
        assert api(getattr(cast, who)).get("/api/v1/deliveries/").json()["results"] == []


def test_transitions_and_refusals(cast, delivery_id, allocation):
    base = f"/api/v1/deliveries/{delivery_id}"
    assert api(cast.kelurahan).post(f"{base}/dispatch/").status_code == 403
    assert api(cast.outsider).post(f"{base}/dispatch/").status_code == 404
    r = api(cast.executor).post(f"{base}/deliver/")
    assert r.status_code == 400 and "non_field_errors" in r.json()
    r = api(cast.executor).post(f"{base}/dispatch/")
    assert r.status_code == 200 and r.json()["state"] == "dispatched"
    assert api(cast.executor).post(f"{base}/fail/", {}, format="json").status_code == 400
    r = api(cast.executor).post(f"{base}/fail/", {"reason": "flood"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "failed"
    allocation.refresh_from_db()
    assert allocation.returned_quantity == allocation.quantity


def test_cancel(cast, delivery_id):
    r = api(cast.assessor).post(f"/api/v1/deliveries/{delivery_id}/cancel/",
                                {"reason": "duplicate"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert r.json()["lines"][0]["returned_quantity"] == 40


def _png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buf, format="PNG")
    buf.seek(0)
    buf.name = "x.png"
    return buf


def test_handover_flow(cast, delivery_id, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _deliver(cast, delivery_id)
    line = Delivery.objects.get(pk=delivery_id).lines.get()
    body = {"delivery": delivery_id, "date": timezone.localdate().isoformat(),
            "address": "Balai warga", "lines": [{"delivery_line": line.pk, "quantity": 41}]}
    assert api(cast.ketua_rw).post("/api/v1/handovers/", body, format="json").status_code == 403
    r = api(cast.executor).post("/api/v1/handovers/", body, format="json")
    assert r.status_code == 400 and "lines" in r.json()
    body["lines"][0]["quantity"] = 40
    r = api(cast.outsider).post("/api/v1/handovers/", body, format="json")
    assert r.status_code == 400 and "delivery" in r.json()
    r = api(cast.executor).post("/api/v1/handovers/", body, format="json")
    assert r.status_code == 201, r.content
    h = r.json()
    assert h["state"] == "draft" and h["verify_url"].endswith(f"/verify/{h['code']}/")
    url = f"/api/v1/handovers/{h['id']}"
    r = api(cast.executor).post(f"{url}/photos/", {"photo": _png()}, format="multipart")
    assert r.status_code == 201 and r.json()["photos"] == 1
    bad = io.BytesIO(b"not an image")
    bad.name = "x.jpg"
    r = api(cast.executor).post(f"{url}/photos/", {"photo": bad}, format="multipart")
    assert r.status_code == 400 and "photo" in r.json()
    assert api(cast.outsider).get(f"{url}/").status_code == 404
    assert api(cast.collaborator).get(f"{url}/pdf/").status_code == 404
    r = api(cast.executor).post(f"{url}/confirm/", {"role": "receiver"}, format="json")
    assert r.status_code == 403
    for who, role in (("executor", "giver"), ("ketua_rw", "receiver"),
                      ("kelurahan", "witness")):
        r = api(getattr(cast, who)).post(f"{url}/confirm/", {"role": role}, format="json")
        assert r.status_code == 200, (who, r.content)
    data = r.json()
    assert data["state"] == "signed" and len(data["fingerprint"]) == 64
    assert [p["name"] for p in data["parties"]] == ["Executor", "Ketua_Rw", "Kelurahan"]
    r = api(cast.executor).post(f"{url}/confirm/", {"role": "giver"}, format="json")
    assert r.status_code == 400
    r = api(cast.ketua_rw).get(f"{url}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    # Correction.
    body = {**body, "supersedes": data["id"], "correction_reason": "two damaged",
            "lines": [{"delivery_line": line.pk, "quantity": 38}]}
    r = api(cast.executor).post("/api/v1/handovers/", body, format="json")
    assert r.status_code == 201, r.content
    assert api(cast.executor).get(f"{url}/").json()["superseded_by"] == r.json()["id"]
    r = api(cast.assessor).post(f"/api/v1/deliveries/{delivery_id}/verify/")
    assert r.status_code == 200 and r.json()["state"] == "verified"


def test_paper_flow(cast, delivery_id, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _deliver(cast, delivery_id)
    line = Delivery.objects.get(pk=delivery_id).lines.get()
    h = api(cast.executor).post("/api/v1/handovers/", {
        "delivery": delivery_id, "date": timezone.localdate().isoformat(),
        "address": "Balai warga", "lines": [{"delivery_line": line.pk, "quantity": 40}]},
        format="json").json()
    url = f"/api/v1/handovers/{h['id']}"
    r = api(cast.executor).post(f"{url}/paper/", {"paper": _png(), "receiver_name": "Pak RW",
                                                  "witness_name": "Bu Lurah"},
                                format="multipart")
    assert r.status_code == 200 and r.json()["has_paper_scan"]
    assert api(cast.executor).post(f"{url}/accept_paper/").status_code == 403
    r = api(cast.kelurahan).post(f"{url}/accept_paper/")
    assert r.status_code == 200 and r.json()["state"] == "signed"
    assert Handover.objects.get(pk=h["id"]).receiver_name == "Pak RW"
