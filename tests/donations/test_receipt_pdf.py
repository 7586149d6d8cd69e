"""The donation receipt PDF of a received pledge: content, who may download it, and
refusals before receipt."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from rest_framework.test import APIClient

from ksbb.donations.pdf import DonationReceiptPdf, has_receipt
from ksbb.donations.services import pledge_receive, pledge_submit, region_program_adopt
from ksbb.regions.services import region_link_organization
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    """The pages' drawn text (reportlab writes page streams ASCII85 + Flate encoded)."""
    out = []
    for body in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = body.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data, adobe=True)
        try:
            out.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(out)


@pytest.fixture
def received_goods(cast, goods_pledge):  # type: ignore[no-untyped-def]
    return pledge_receive(pledge=goods_pledge, received_quantity=95, by=cast.aggregator)


def test_renderer_writes_the_receipt(cast, received_goods):
    pdf = DonationReceiptPdf(received_goods, check_url="http://ksbb.test/donations/pledges/1/")
    body = pdf.render()
    assert body.startswith(b"%PDF-")
    text = _text(body)
    for expected in ("TANDA TERIMA DONASI", pdf.number, "PT Sembako", "BAZNAS DKI",
                     "Paket sembako", "Jumlah diterima", "95 paket", "Jumlah dijanjikan",
                     "100 paket", "Periksa: http://ksbb.test/donations/pledges/1/"):
        assert expected in text, expected
    assert pdf.number.startswith("KSBB/DON/") and pdf.number.endswith(
        f"{received_goods.pk:06d}")


def test_money_receipt(cast, received_money):
    text = _text(DonationReceiptPdf(received_money).render())
    assert "Uang" in text and "Rp 900.000" in text and "Rp 1.000.000" in text


def test_receipt_names_the_programme_as_the_pledges_region_does(cast, bandung, don):
    """A region that renamed a programme: its donors' receipts carry that name, as its
    page and the pledge form do; a pledge to another region keeps the standard name."""
    region_link_organization(region=bandung.region, organization=cast.aggregator_org,
                             by=SETUP)
    region_program_adopt(region=bandung.region, program=don.pangan,
                         local_name="Pangan Sehat Bandung", by=bandung.admin)
    money = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                          program=don.pangan, amount=500_000, region=bandung.region,
                          by=cast.collaborator)
    goods = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                          item=don.sembako, quantity=10, region=bandung.region,
                          by=cast.collaborator)
    jakarta = pledge_submit(collaborator=cast.collaborator_org,
                            aggregator=cast.aggregator_org, program=don.pangan,
                            amount=500_000, by=cast.collaborator)
    money, jakarta = (pledge_receive(pledge=p, received_amount=500_000, by=cast.aggregator)
                      for p in (money, jakarta))
    goods = pledge_receive(pledge=goods, received_quantity=10, by=cast.aggregator)
    for pledge in (money, goods):
        text = _text(DonationReceiptPdf(pledge).render())
        assert "Pangan Sehat Bandung" in text and don.pangan.name not in text
    text = _text(DonationReceiptPdf(jakarta).render())
    assert don.pangan.name in text and "Pangan Sehat Bandung" not in text


def test_pledge_pages_name_the_programme_as_the_pledges_region_does(cast, bandung, don,
                                                                   client_for):
    """The same name as on the receipt, on "my donations", the aggregator's inbox and the
    pledge's page; a pledge to the default region keeps the standard name."""
    region_link_organization(region=bandung.region, organization=cast.aggregator_org,
                             by=SETUP)
    region_program_adopt(region=bandung.region, program=don.pangan,
                         local_name="Pangan Sehat Bandung", by=bandung.admin)
    local = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                          program=don.pangan, amount=500_000, region=bandung.region,
                          by=cast.collaborator)
    standard = pledge_submit(collaborator=cast.collaborator_org,
                             aggregator=cast.aggregator_org, program=don.pangan,
                             amount=700_000, by=cast.collaborator)

    def programme_of(html: str, amount: str) -> str:
        found = re.search(rf"Rp {amount} \(([^)]*)\)", html)
        assert found, amount
        return found.group(1)

    for user, url in ((cast.collaborator, "/donations/mine/"),
                      (cast.aggregator, "/donations/inbox/")):
        html = client_for(user).get(url).content.decode()
        assert programme_of(html, "500.000") == "Pangan Sehat Bandung", url
        assert programme_of(html, "700.000") == don.pangan.name, url
    client = client_for(cast.collaborator)
    assert programme_of(client.get(f"/donations/pledges/{local.pk}/").content.decode(),
                        "500.000") == "Pangan Sehat Bandung"
    assert programme_of(client.get(f"/donations/pledges/{standard.pk}/").content.decode(),
                        "700.000") == don.pangan.name


def test_no_receipt_before_receipt(goods_pledge):
    assert not has_receipt(goods_pledge)
    with pytest.raises(ValueError, match="not been received"):
        DonationReceiptPdf(goods_pledge)


@pytest.mark.parametrize(("who", "expected"), [
    (None, 302), ("collaborator", 200), ("aggregator", 200), ("outsider", 403),
    ("executor", 403), ("assessor", 403), ("admin", 200)])
def test_receipt_page_access(cast, received_goods, client_for, who, expected):
    user = cast.users[who] if who else None
    response = client_for(user).get(f"/donations/pledges/{received_goods.pk}/receipt.pdf")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")


def test_trail_page_links_the_receipt_once_received(cast, goods_pledge, client_for):
    client = client_for(cast.collaborator)
    url = f"/donations/pledges/{goods_pledge.pk}/"
    assert "receipt.pdf" not in client.get(url).content.decode()
    assert client.get(f"{url}receipt.pdf").status_code == 404
    pledge_receive(pledge=goods_pledge, received_quantity=95, by=cast.aggregator)
    assert f"{url}receipt.pdf" in client.get(url).content.decode()


def test_receipt_through_the_api(cast, goods_pledge):
    api = APIClient()
    api.force_authenticate(cast.collaborator)
    url = f"/api/v1/pledges/{goods_pledge.pk}/receipt/"
    response = api.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "confirms receipt" in response.content.decode()
    pledge_receive(pledge=goods_pledge, received_quantity=95, by=cast.aggregator)
    response = api.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "95 paket" in _text(response.content)
    api.force_authenticate(cast.aggregator)
    assert api.get(url).status_code == 200
    api.force_authenticate(cast.outsider)
    assert api.get(url).status_code == 404  # another organisation's pledge
    api.force_authenticate(cast.assessor)
    assert api.get(url).status_code == 403  # sees the pledge, not the donor's receipt
    api.force_authenticate(None)
    assert api.get(url).status_code in (401, 403)
