"""Aggregators import many pledges from CSV or XLSX: all rows or none, errors per row."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ksbb.core.domain import NotAllowed, Refusal
from ksbb.core.models import AuditEntry
from ksbb.donations import imports
from ksbb.donations.imports import pledges_import
from ksbb.donations.models import Pledge
from tests.conftest import VILLAGE_A

pytestmark = pytest.mark.django_db

HEADER = "collaborator_id,collaborator_email,kind,item,program,quantity,amount," \
         "preferred_area,recipient,received"


@pytest.fixture(autouse=True)
def _linked(cast, don):  # type: ignore[no-untyped-def]
    """The collaborator accepted the aggregator's invitation (tests/donations/test_gaming.py
    shows how); only linked collaborators can be imported."""
    from django.utils import timezone

    from ksbb.donations.models import CollaboratorLink

    CollaboratorLink.objects.create(aggregator=cast.aggregator_org, email="csr@sembako.example",
                                    collaborator=cast.collaborator_org,
                                    accepted_at=timezone.now())


def _csv(*lines: str) -> io.BytesIO:
    return io.BytesIO("\n".join([HEADER, *lines]).encode())


def _import(cast, data, name="pledges.csv", by=None):  # type: ignore[no-untyped-def]
    return pledges_import(aggregator=cast.aggregator_org, source=data, filename=name,
                          by=by or cast.aggregator)


def test_import_creates_goods_and_money_pledges(cast, don):
    org = cast.collaborator_org.pk
    report = _import(cast, _csv(
        f"{org},,goods,sembako,,100,,{VILLAGE_A},,95",
        ",CSR@sembako.example,money,,pangan,,2500000,,,",
        f"{org},,,siap-saji,,40,,,{cast.recipient.pk},",
    ))
    assert report.ok and (report.rows, report.created) == (3, 3)
    goods, money, meal = Pledge.objects.order_by("pk")
    assert (goods.state, goods.quantity, goods.received_quantity) == ("received", 100, 95)
    assert goods.preferred_area_id == VILLAGE_A
    assert (money.state, money.amount_rupiah, money.collaborator) == (
        "submitted", 2_500_000, cast.collaborator_org)
    assert meal.kind == "goods" and meal.recipient == cast.recipient
    submitted = AuditEntry.objects.filter(action="pledge.submitted")
    assert submitted.count() == 3
    assert all(e.after["source"] == "import" for e in submitted)
    assert all(e.actor == cast.aggregator for e in submitted)
    assert AuditEntry.objects.filter(action="pledge.received").count() == 1
    entry = AuditEntry.objects.get(action="pledges.imported")
    assert entry.after["created"] == 3 and entry.after["received"] == 1


def test_import_is_all_or_nothing_with_row_errors(cast, don):
    org = cast.collaborator_org.pk
    report = _import(cast, _csv(
        f"{org},,goods,sembako,,100,,,,",             # fine
        f"{org},,goods,nope,,0,,,,",                  # unknown item, zero quantity
        ",nobody@example.com,money,,PANGAN,,1000,,,",  # unknown e-mail
        f"{org},,money,,SENI_BUDAYA,,1000,,,",         # programme not running
        f"{org},,goods,sembako,,10,,31.99,,11",       # unknown area, received > pledged
        f"{org},,gift,,,,,,,",                        # bad kind
        f"{cast.aggregator_org.pk},,goods,sembako,,1,,,x,",  # not a collaborator; recipient
        ",,goods,sembako,,1,,,,",                     # no collaborator at all
    ))
    assert not report.ok and report.created == 0
    found = {(e.row, e.field) for e in report.errors}
    assert {(3, "item"), (3, "quantity"), (4, "collaborator_email"), (5, "program"),
            (6, "preferred_area"), (6, "received"), (7, "kind"), (8, "collaborator_id"),
            (8, "recipient"), (9, "collaborator_id")} <= found
    assert 2 not in {e.row for e in report.errors}
    assert not Pledge.objects.exists()
    assert "row 5, program: this programme is not running" in [str(e) for e in report.errors]


def test_import_from_xlsx(cast, don):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Collaborator_ID", "kind", "item", "quantity", "received"])
    ws.append([cast.collaborator_org.pk, "goods", "sembako", 1000, 950])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    report = _import(cast, buf, name="pledges.xlsx")
    assert report.ok
    assert Pledge.objects.get().received_quantity == 950


def test_import_refusals_of_the_whole_file(cast, don, monkeypatch):
    with pytest.raises(NotAllowed):
        pledges_import(aggregator=cast.aggregator_org, source=_csv(), filename="a.csv",
                       by=cast.outsider)
    with pytest.raises(NotAllowed):
        _import(cast, _csv(), by=cast.collaborator)
    with pytest.raises(Refusal, match="no rows"):
        _import(cast, _csv())
    with pytest.raises(Refusal, match="missing columns"):
        _import(cast, io.BytesIO(b"kind,item\ngoods,sembako\n"))
    with pytest.raises(Refusal, match="UTF-8"):
        _import(cast, io.BytesIO(b"collaborator_id\n\xff\xfe\n"))
    with pytest.raises(Refusal, match="readable XLSX"):
        _import(cast, io.BytesIO(b"not a zip"), name="a.xlsx")
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    lines = [f"{cast.collaborator_org.pk},,goods,sembako,,1,,,," for _ in range(4)]
    with pytest.raises(Refusal, match="more than 3 rows"):
        _import(cast, _csv(*lines))
    assert not Pledge.objects.exists()


def test_import_refused_for_unverified_aggregator(cast, don):
    from ksbb.donations.models import AggregatorProfile

    AggregatorProfile.objects.filter(organization=cast.aggregator_org).update(verified_at=None)
    with pytest.raises(Refusal, match="not verified"):
        _import(cast, _csv(f"{cast.collaborator_org.pk},,goods,sembako,,1,,,,"))


@pytest.mark.parametrize(("who", "expected"), [
    (None, 302), ("aggregator", 200), ("collaborator", 403), ("assessor", 403)])
def test_import_page_access(cast, don, client_for, who, expected):
    user = cast.users[who] if who else None
    assert client_for(user).get("/donations/import/").status_code == expected


def test_import_page(cast, don, client_for):
    client = client_for(cast.aggregator)
    org = cast.collaborator_org.pk
    bad = SimpleUploadedFile("p.csv", _csv(f"{org},,goods,nope,,5,,,,").getvalue())
    response = client.post("/donations/import/", {"file": bad})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body and "unknown aid item code" in body
    good = SimpleUploadedFile("p.csv", _csv(f"{org},,goods,sembako,,5,,,,5").getvalue())
    response = client.post("/donations/import/", {"file": good})
    assert response.status_code == 302
    assert Pledge.objects.get().state == "received"
    response = client.post("/donations/import/", {
        "file": SimpleUploadedFile("p.csv", b"kind\ngoods\n")})
    assert response.status_code == 400 and "missing columns" in response.content.decode()


def test_formula_cells_are_row_errors_and_nothing_is_written(cast, don):
    org = cast.collaborator_org.pk
    before = AuditEntry.objects.count()
    report = _import(cast, _csv(
        f"{org},,goods,sembako,,100,,,,",
        f"{org},,goods,=HYPERLINK(\"http://x\"),,100,,,,",
    ))
    assert not report.ok
    assert [(e.row, e.field) for e in report.errors] == [(3, "item")]
    assert "formula" in report.errors[0].message
    assert not Pledge.objects.exists()
    assert AuditEntry.objects.count() == before
