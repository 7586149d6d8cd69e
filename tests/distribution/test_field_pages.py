"""Phone pages: who sees which deliveries, buttons only for who may press them, refusals as
messages, object-level 403 for the wrong person."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image

from ksbb.distribution.models import Delivery, Handover
from tests.distribution.conftest import sign_all

pytestmark = pytest.mark.django_db


def test_home_lists_deliveries_per_role(client_for, cast, dist):
    for who in ("executor", "kelurahan"):
        body = client_for(getattr(cast, who)).get("/field/").content.decode()
        assert f"/field/deliveries/{dist.delivery.pk}/" in body, who
    body = client_for(cast.ketua_rw).get(f"/field/recipients/{cast.recipient.pk}/").content
    assert f"/field/deliveries/{dist.delivery.pk}/".encode() in body
    r = client_for(cast.ketua_rw).get("/field/deliveries/")
    assert r.status_code == 200 and f"/field/deliveries/{dist.delivery.pk}/".encode() in r.content


def test_list_and_detail_scope(client_for, cast, dist):
    url = f"/field/deliveries/{dist.delivery.pk}/"
    for who in ("executor", "kelurahan", "ketua_rw", "assessor", "aggregator"):
        assert client_for(getattr(cast, who)).get(url).status_code == 200, who
    assert client_for(cast.outsider).get(url).status_code == 403
    assert client_for(cast.collaborator).get("/field/deliveries/").status_code == 403
    r = client_for(cast.outsider).get("/field/deliveries/")
    assert f"/field/deliveries/{dist.delivery.pk}/".encode() not in r.content
    assert client_for(None).get(url).status_code == 302


def test_executor_completes_delivery_with_bast(client_for, cast, dist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    d = dist.delivery
    ex = client_for(cast.executor)
    page = ex.get(f"/field/deliveries/{d.pk}/").content.decode()
    assert "dispatch/" in page
    assert "dispatch/" not in client_for(cast.kelurahan).get(
        f"/field/deliveries/{d.pk}/").content.decode()
    assert client_for(cast.kelurahan).post(
        f"/field/deliveries/{d.pk}/dispatch/").status_code == 403
    ex.post(f"/field/deliveries/{d.pk}/dispatch/")
    ex.post(f"/field/deliveries/{d.pk}/deliver/")
    d.refresh_from_db()
    assert d.state == Delivery.State.DELIVERED
    line = d.lines.get()
    r = ex.post(f"/field/deliveries/{d.pk}/handover/", {
        "date": timezone.localdate().isoformat(), "address": "Balai warga",
        f"line-{line.pk}": "99"}, follow=True)
    assert b"more than was delivered" in r.content
    r = ex.post(f"/field/deliveries/{d.pk}/handover/", {
        "date": timezone.localdate().isoformat(), "address": "Balai warga",
        f"line-{line.pk}": "40"})
    h = Handover.objects.get()
    assert r["Location"] == f"/field/handovers/{h.pk}/"
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="JPEG")
    buf.seek(0)
    buf.name = "x.jpg"
    ex.post(f"/field/handovers/{h.pk}/photos/", {"photo": buf})
    assert h.photos.count() == 1
    for who, role in (("executor", "giver"), ("ketua_rw", "receiver"),
                      ("kelurahan", "witness")):
        c = client_for(getattr(cast, who))
        assert f'value="{role}"' in c.get(f"/field/handovers/{h.pk}/").content.decode()
        c.post(f"/field/handovers/{h.pk}/confirm/", {"role": role})
    h.refresh_from_db()
    assert h.is_signed
    page = ex.get(f"/field/handovers/{h.pk}/").content.decode()
    assert h.fingerprint in page and f"/verify/{h.code}/" in page
    r = client_for(cast.ketua_rw).get(f"/field/handovers/{h.pk}/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert client_for(cast.outsider).get(f"/field/handovers/{h.pk}/pdf/").status_code == 403
    # Correction from the page.
    r = ex.post(f"/field/handovers/{h.pk}/correct/", {
        "date": timezone.localdate().isoformat(), "address": "Balai warga",
        f"line-{line.pk}": "39", "correction_reason": "one damaged"})
    new = Handover.objects.get(supersedes=h)
    assert r["Location"] == f"/field/handovers/{new.pk}/"


def test_pledge_trail_shows_basts(client_for, cast, dist, delivered, draft):
    signed = sign_all(cast, draft)
    signed.refresh_from_db()
    body = client_for(cast.collaborator).get(
        f"/donations/pledges/{dist.allocation.pledge_id}/").content.decode()
    assert signed.number in body and f"/verify/{signed.code}/" in body


def test_cancel_and_failed_look_dangerous_and_ask(client_for, cast, dist):  # type: ignore[no-untyped-def]
    """Issue 15 point 7: a danger style and a confirmation (site.js, data-confirm)."""
    page = client_for(cast.executor).get(f"/field/deliveries/{dist.delivery.pk}/").content.decode()
    assert 'data-confirm="Cancel this delivery? This cannot be undone."' in page
    assert '<button type="submit" class="danger">Cancel delivery</button>' in page
    from django.test import Client

    ex = Client()  # Indonesian
    ex.force_login(cast.executor)
    ex.post(f"/field/deliveries/{dist.delivery.pk}/dispatch/")
    page = ex.get(f"/field/deliveries/{dist.delivery.pk}/").content.decode()
    assert 'data-confirm="Catat pengiriman ini sebagai gagal?' in page
    assert '<button type="submit" class="danger">Pengiriman gagal</button>' in page
