"""Open data downloads: every format parses with a standard reader and holds the expected
rows; formulas are defused; no personal data reaches any public output."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import load_workbook

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.services import membership_grant, organization_create, user_create
from ksbb.distribution.models import Handover
from ksbb.donations.services import collaborator_profile_create, pledge_receive, pledge_submit
from ksbb.forum.services import citizen_register, idea_post
from ksbb.reports.models import MisuseReport
from ksbb.reports.services import report_submit
from ksbb.stats.opendata import DATASETS, LICENCE, dataset_rows
from ksbb.web.public.opendata_views import safe_cell
from tests.conftest import SETUP
from tests.distribution.conftest import make_allocation
from tests.distribution.test_pledge_progress import _hand_over
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db

NIK = "3171011705900123"
PHONE = "081298765432"
PHONE_INTL = "+6281311112222"
EMAIL = "budi.santoso@example.com"
EVIL = '=HYPERLINK("http://evil.example/x","klik")'
FILES = [f"/open-data/{slug}.{fmt}" for slug in DATASETS
         for fmt in ("csv", "json", "xlsx", "hxl.csv")]


@dataclass
class World:
    handover: Handover
    report: MisuseReport


@pytest.fixture
def world(cast) -> World:  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    # A delivery of 40 "Paket sembako" to cast.recipient (an RW), signed end to end.
    allocation = make_allocation(cast, don, quantity=40)
    handover = _hand_over(cast, allocation)
    # An individual donor with every kind of personal data.
    budi = organization_create(kind=Organization.Kind.COLLABORATOR, name="Budi Santoso",
                               by=SETUP)
    collaborator_profile_create(organization=budi, kind="individual", email=EMAIL,
                                phone=PHONE, nik=NIK, by=SETUP)
    # A business whose name is a spreadsheet formula.
    evil = organization_create(kind=Organization.Kind.COLLABORATOR, name=EVIL, by=SETUP)
    collaborator_profile_create(organization=evil, kind="business", email="csr@evil.example",
                                phone=PHONE_INTL, by=SETUP)
    for org, amount in ((budi, 500_000), (evil, 250_000)):
        donor = user_create(username=f"donor{org.pk}", password=None, by=SETUP)
        membership_grant(user=donor, role=Role.COLLABORATOR, organization=org, by=SETUP)
        pledge = pledge_submit(collaborator=org, aggregator=cast.aggregator_org,
                               program=don.pangan, amount=amount, by=donor)
        pledge_receive(pledge=pledge, received_amount=amount, by=cast.aggregator)
    for user in (cast.collaborator, cast.executor, cast.ketua_rw):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    cast.recipient.contact_name = "Pak Ketua"
    cast.recipient.contact_phone = "0813-5555-6666"
    cast.recipient.save(update_fields=["contact_name", "contact_phone"])
    report = report_submit(category="not_received", area=cast.recipient.area,
                           description=f"Bantuan tidak sampai, hubungi {PHONE}",
                           reporter_name="Siti", reporter_email="siti.pelapor@example.net",
                           reporter_phone="+62 812 3456 7890", by=None)
    citizen = citizen_register(name="warga", email="warga@example.id",
                               password="a-long-Passw0rd!")
    idea_post(title="Dapur umum", body="Usul dapur umum di RW 01", by=citizen)
    return World(handover, report)


def _csv(client: Any, path: str) -> list[list[str]]:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def _records(client: Any, path: str) -> list[dict[str, str]]:
    rows = _csv(client, path)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


# Selectors.

def test_delivery_rows_follow_the_signed_bast(world, cast):  # type: ignore[no-untyped-def]
    rows = dataset_rows("deliveries")
    assert len(rows) == 1
    row = rows[0]
    area = cast.recipient.area_id
    assert row["date"] == world.handover.date
    assert row["program_code"] == "PANGAN"
    assert row["aggregator"] == "BAZNAS DKI"
    assert row["executor"] == "Relawan Gambir"
    assert row["item_name"] == "Paket sembako"
    assert row["recipient_kind"] == "rw"
    assert row["village_code"] == ".".join(area.split(".")[:4])
    assert row["district_code"] == ".".join(area.split(".")[:3])
    assert row["regency_code"] == ".".join(area.split(".")[:2])
    assert row["village_name"] and row["district_name"] and row["regency_name"]
    assert row["quantity"] == 40
    assert row["recipients"] == 1
    assert row["value_rupiah"] == 40 * world.handover.lines.get().item.value_rupiah
    assert row["currency"] == "IDR"


def test_pledge_rows_group_individuals_and_name_organisations(world):  # type: ignore[no-untyped-def]
    rows = dataset_rows("pledges")
    by_collaborator = {r["collaborator"]: r for r in rows}
    assert set(by_collaborator) == {"PT Sembako", EVIL, "Donatur perorangan"}
    individual = by_collaborator["Donatur perorangan"]
    assert (individual["collaborator_kind"], individual["item_code"], individual["pledges"],
            individual["value_rupiah"]) == ("individual", "money", 1, 500_000)
    goods = by_collaborator["PT Sembako"]
    assert (goods["quantity"], goods["item_name"]) == (100, "Paket sembako")
    assert goods["week_start"].weekday() == 0
    assert sum(r["value_rupiah"] for r in rows) == 750_000 + goods["value_rupiah"]


def test_a_superseded_bast_counts_only_through_its_correction(world):  # type: ignore[no-untyped-def]
    # Only signed, non-superseded BASTs count: a draft BAST adds nothing.
    assert sum(r["quantity"] for r in dataset_rows("deliveries")) == 40


# Formats.

# The money datasets (the households dataset holds counts: tests/households).
@pytest.mark.parametrize("slug", ["deliveries", "pledges"])
def test_csv_json_xlsx_and_hxl_agree(world, client, slug):  # type: ignore[no-untyped-def]
    dataset = DATASETS[slug]
    expected = dataset_rows(slug)
    rows = _csv(client, f"/open-data/{slug}.csv")
    assert rows[0] == dataset.names
    assert len(rows) == len(expected) + 1
    value = dataset.names.index("value_rupiah")
    assert sum(int(r[value]) for r in rows[1:]) == sum(r["value_rupiah"] for r in expected)

    hxl = _csv(client, f"/open-data/{slug}.hxl.csv")
    assert hxl[0] == dataset.names
    assert all(tag.startswith("#") for tag in hxl[1])
    assert hxl[1][0].startswith("#date")
    assert {"#value", "#currency", "#item+name", "#sector+code"} <= set(hxl[1])
    assert hxl[2:] == rows[1:]

    response = client.get(f"/open-data/{slug}.json")
    assert response.status_code == 200
    data = response.json()
    assert data["licence"] == LICENCE
    assert data["generated_at"]
    assert len(data["rows"]) == len(expected)
    assert set(data["rows"][0]) == set(dataset.names)
    assert sum(r["value_rupiah"] for r in data["rows"]) == sum(
        r["value_rupiah"] for r in expected)

    response = client.get(f"/open-data/{slug}.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert list(cells[0]) == dataset.names
    assert len(cells) == len(expected) + 1
    assert sum(r[value] for r in cells[1:]) == sum(r["value_rupiah"] for r in expected)


def test_deliveries_hxl_tags_areas_and_reach(world, client):  # type: ignore[no-untyped-def]
    tags = _csv(client, "/open-data/deliveries.hxl.csv")[1]
    assert {"#adm2+code", "#adm2+name", "#adm3+code", "#adm4+code", "#reached",
            "#org+impl+executor"} <= set(tags)
    pledge_tags = _csv(client, "/open-data/pledges.hxl.csv")[1]
    assert "#org+funding" in pledge_tags


def test_formulas_are_defused_in_csv_and_xlsx_not_json(world, client):  # type: ignore[no-untyped-def]
    records = _records(client, "/open-data/pledges.csv")
    names = {r["collaborator"] for r in records}
    assert "'" + EVIL in names and EVIL not in names
    hxl_names = [r[5] for r in _csv(client, "/open-data/pledges.hxl.csv")[2:]]
    assert "'" + EVIL in hxl_names
    sheet = load_workbook(io.BytesIO(client.get("/open-data/pledges.xlsx").content)).active
    column = [c.value for c in sheet["F"]]
    assert "'" + EVIL in column and EVIL not in column
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert EVIL in {r["collaborator"] for r in client.get("/open-data/pledges.json").json()[
        "rows"]}


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_safe_cell_quotes_formula_starts(text):  # type: ignore[no-untyped-def]
    assert safe_cell(text) == "'" + text
    assert safe_cell("Paket sembako") == "Paket sembako"
    assert safe_cell(-5) == -5


def test_executor_named_like_a_formula_is_defused(world, cast, client):  # type: ignore[no-untyped-def]
    Organization.objects.filter(pk=cast.executor_org.pk).update(name="@Relawan")
    assert _records(client, "/open-data/deliveries.csv")[0]["executor"] == "'@Relawan"


@pytest.mark.parametrize("path", ["/open-data/nope.csv", "/open-data/pledges.pdf",
                                  "/open-data/pledges.txt.csv"])
def test_unknown_datasets_and_formats_are_404(world, client, path):  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 404


def test_downloads_are_read_only(world, client):  # type: ignore[no-untyped-def]
    assert client.post("/open-data/pledges.csv").status_code == 405


def test_empty_datasets_still_have_headers(cast, client):  # type: ignore[no-untyped-def]
    for slug, dataset in DATASETS.items():
        assert _csv(client, f"/open-data/{slug}.csv") == [dataset.names]
        assert client.get(f"/open-data/{slug}.json").json()["rows"] == []


# The page.

def test_open_data_page_lists_datasets_dictionary_and_licence(world, client):  # type: ignore[no-untyped-def]
    response = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    for path in FILES:
        assert f'href="{path}"' in html
    for dataset in DATASETS.values():
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in html
            assert f"<code>{column.hxl}</code>" in html
    assert "CC BY 4.0" in html
    assert "ODbL" in html and 'href="/about/data/"' in html


def test_dashboard_and_navigation_link_to_open_data(world, client):  # type: ignore[no-untyped-def]
    html = client.get("/").content.decode()
    assert html.count('href="/open-data/"') >= 2  # the navigation and the dashboard


# No personal data anywhere public.

NIK_LIKE = re.compile(r"(?<![\w.])\d{16}(?![\w.])")
PHONE_LIKE = re.compile(r"(?:\+62|(?<![\w.])62|(?<![\w.])0)[\s-]?8\d{1,3}[\s-]?\d{3,4}"
                        r"[\s-]?\d{3,5}(?![\d])")
EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _public_outputs(client: Any, world: World) -> dict[str, str]:
    paths = ["/", "/api/v1/stats/dashboard/", "/open-data/", "/ideas/",
             f"/verify/{world.handover.code}/", f"/reports/track/{world.report.code}/",
             *FILES]
    outputs = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        if path.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(response.content), read_only=True)
            text = "\n".join(",".join(str(v) for v in row if v is not None)
                             for row in book.active.iter_rows(values_only=True))
        elif response.streaming:
            text = b"".join(response.streaming_content).decode("utf-8")
        else:
            text = response.content.decode("utf-8")
        outputs[path] = text
    return outputs


def test_the_patterns_do_find_personal_data():  # type: ignore[no-untyped-def]
    text = f"{NIK} {PHONE} {PHONE_INTL} +62 812 3456 7890 0813-5555-6666 {EMAIL}"
    assert NIK_LIKE.findall(text) == [NIK]
    assert len(PHONE_LIKE.findall(text)) == 4
    assert EMAIL_LIKE.findall(text) == [EMAIL]
    assert not PHONE_LIKE.findall("2020-05-01 Rp 15.000.000 31.71.01.1001")


def test_no_public_output_leaks_personal_data(world, client):  # type: ignore[no-untyped-def]
    outputs = _public_outputs(client, world)
    for path, text in outputs.items():
        assert not NIK_LIKE.findall(text), path
        assert not PHONE_LIKE.findall(text), (path, PHONE_LIKE.findall(text))
        assert not EMAIL_LIKE.findall(text), (path, EMAIL_LIKE.findall(text))
        for secret in ("Budi Santoso", "Siti", "Pak Ketua"):
            assert secret not in text, (path, secret)
    # The data is there to leak: the open data do count the individual's pledge.
    assert "Donatur perorangan" in outputs["/open-data/pledges.csv"]
