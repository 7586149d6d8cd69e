"""The aggregator's purchases page: a purchase paid with received money pledges, with a
receipt document checked by content and stored under a server-made name."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ksbb.core.domain import Refusal
from ksbb.core.models import AuditEntry
from ksbb.donations.models import Purchase
from ksbb.donations.services import pledge_receive, pledge_submit, purchase_record
from ksbb.donations.uploads import RECEIPT_MAX_BYTES, clean_receipt
from tests.uploads import pdf, png

pytestmark = pytest.mark.django_db

PDF = pdf()  # a real one: uploads are parsed, not trusted by their first bytes
PNG = png()


def _post(client, don, received_money, receipt, **extra):  # type: ignore[no-untyped-def]
    data = {"item": don.sembako.pk, "quantity": "3", "cost_rupiah": "900000",
            "supplier": "Toko Makmur", "purchased_at": "2026-01-05",
            f"fund_{received_money.pk}": "600000", "receipt": receipt, **extra}
    return client.post("/donations/purchases/", data)


@pytest.mark.parametrize(("who", "expected"), [
    (None, 302), ("aggregator", 200), ("outsider", 200), ("collaborator", 403),
    ("assessor", 403), ("executor", 403)])
def test_purchases_page_access(cast, don, client_for, who, expected):
    user = cast.users[who] if who else None
    assert client_for(user).get("/donations/purchases/").status_code == expected


def test_record_purchase_on_the_page(cast, don, received_money, client_for):
    client = client_for(cast.aggregator)
    body = client.get("/donations/purchases/").content.decode()
    assert f'name="fund_{received_money.pk}"' in body and "900,000" in body.replace(".", ",")
    response = _post(client, don, received_money,
                     SimpleUploadedFile("../../etc/nota toko.pdf", PDF, "application/pdf"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    purchase = Purchase.objects.get()
    assert (purchase.quantity, purchase.cost_rupiah, purchase.supplier) == (
        3, 900_000, "Toko Makmur")
    assert [(f.pledge_id, f.amount_rupiah) for f in purchase.fundings.all()] == [
        (received_money.pk, 600_000)]
    name = purchase.receipt.name
    assert name.startswith("purchases/") and name.endswith(".pdf") and "nota" not in name
    assert AuditEntry.objects.filter(action="purchase.recorded",
                                     actor=cast.aggregator).exists()
    body = client.get("/donations/purchases/").content.decode()
    assert "Toko Makmur" in body and f"/donations/purchases/{purchase.pk}/receipt/" in body
    # 300,000 left on the pledge: the form offers that much.
    assert 'max="300000"' in body
    download = client.get(f"/donations/purchases/{purchase.pk}/receipt/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # The donor whose money paid may see it; another aggregator may not.
    assert client_for(cast.collaborator).get(
        f"/donations/purchases/{purchase.pk}/receipt/").status_code == 200
    assert client_for(cast.outsider).get(
        f"/donations/purchases/{purchase.pk}/receipt/").status_code == 403
    assert client_for(cast.outsider).get("/donations/purchases/").content.decode().count(
        "Toko Makmur") == 0


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("nota.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
     "must be a PDF or an image"),
    (SimpleUploadedFile("nota.html", b"<html><script>x</script>", "text/html"),
     "must be a PDF or an image"),
    (SimpleUploadedFile("nota.pdf", PDF + b"0" * RECEIPT_MAX_BYTES, "application/pdf"),
     "larger than 5 MB"),
])
def test_receipt_refusals(cast, don, received_money, client_for, upload, message):
    response = _post(client_for(cast.aggregator), don, received_money, upload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Purchase.objects.exists()


def test_page_refusals_change_nothing(cast, don, received_money, client_for):
    client = client_for(cast.aggregator)
    receipt = SimpleUploadedFile("n.png", PNG, "image/png")
    response = _post(client, don, received_money, receipt,
                     **{f"fund_{received_money.pk}": ""})
    assert response.status_code == 400 and "at least one money pledge" in response.content.decode()
    receipt = SimpleUploadedFile("n.png", PNG, "image/png")
    response = _post(client, don, received_money, receipt,
                     **{f"fund_{received_money.pk}": "900001"})
    assert response.status_code == 400
    receipt = SimpleUploadedFile("n.png", PNG, "image/png")
    response = _post(client, don, received_money, receipt, cost_rupiah="500000")
    assert response.status_code == 400 and "exceeds the cost" in response.content.decode()
    response = _post(client, don, received_money, "")
    assert response.status_code == 400
    assert not Purchase.objects.exists()


def test_other_aggregators_pledges_are_not_offered(cast, don, received_money, client_for):
    body = client_for(cast.outsider).get("/donations/purchases/").content.decode()
    assert f'name="fund_{received_money.pk}"' not in body
    response = _post(client_for(cast.outsider), don, received_money,
                     SimpleUploadedFile("n.pdf", PDF, "application/pdf"))
    assert response.status_code == 400 and not Purchase.objects.exists()


def test_service_checks_the_receipt_too(cast, don, received_money):
    with pytest.raises(Refusal) as exc:
        purchase_record(aggregator=cast.aggregator_org, item=don.sembako, quantity=1,
                        cost_rupiah=300_000, supplier="X", by=cast.aggregator,
                        funding=[(received_money, 300_000)],
                        receipt=SimpleUploadedFile("x.pdf", b"GIF89a", "image/gif"))
    assert "receipt" in exc.value.message_dict
    assert not Purchase.objects.exists()


def test_clean_receipt_names_by_content():
    assert clean_receipt(SimpleUploadedFile("a.pdf", PNG)).name.endswith(".png")
    for fmt, ext in (("JPEG", ".jpg"), ("WEBP", ".webp")):
        buf = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(buf, format=fmt)
        named = clean_receipt(SimpleUploadedFile("a", buf.getvalue()))
        assert named.name.endswith(ext) and len(named.name) == 32 + len(ext)
    with pytest.raises(Exception, match="empty"):
        clean_receipt(SimpleUploadedFile("a.pdf", b""))


def test_purchase_needs_received_money(cast, don, client_for):
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           program=don.pangan, amount=500_000, by=cast.collaborator)
    body = client_for(cast.aggregator).get("/donations/purchases/").content.decode()
    assert f'name="fund_{pledge.pk}"' not in body  # submitted, not received
    pledge_receive(pledge=pledge, received_amount=500_000, by=cast.aggregator)
    body = client_for(cast.aggregator).get("/donations/purchases/").content.decode()
    assert f'name="fund_{pledge.pk}"' in body
