"""The page at / and the API at /api/v1/stats/dashboard/ show the same figures."""

from __future__ import annotations

import json
import re

import pytest

from ksbb.web.templatetags.ksbb_money import format_rupiah

pytestmark = pytest.mark.django_db

API = "/api/v1/stats/dashboard/"


def _embedded(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert match, "the page embeds its data for the charts"
    return json.loads(match.group(1))


def test_rupiah_is_written_the_indonesian_way():  # type: ignore[no-untyped-def]
    assert format_rupiah(15_000_000) == "Rp 15.000.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(999) == "Rp 999"
    assert format_rupiah(None) == ""


def test_api_equals_what_the_page_shows(may_2021, client):  # type: ignore[no-untyped-def]
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    api = client.get(API, HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 200
    data = api.json()
    assert _embedded(html) == data
    assert data["total_collected"] == 100_000_000
    assert data["collaborators"] == 5
    assert [(r["key"], r["percent"]) for r in data["by_regency"]] == [
        ("31.74", 32.0), ("31.75", 21.0), ("31.72", 16.0), ("31.71", 15.0), ("31.73", 14.0),
        ("31.01", 2.0)]
    assert "Rp 100.000.000" in html
    assert "Rp 32.000.000" in html  # Jakarta Selatan's row in the table


def test_api_filters_are_the_pages_filters(may_2021, client):  # type: ignore[no-untyped-def]
    query = "?program=PANGAN&regency=31.01&start=2020-06-01&end=2020-06-30"
    page = client.get("/" + query)
    api = client.get(API + query).json()
    assert _embedded(page.content.decode()) == api
    assert api["total_collected"] == 2_000_000
    assert api["filters"] == {"program": "PANGAN", "start": "2020-06-01",
                              "end": "2020-06-30", "regency": "31.01"}
    assert client.get(API + "?start=2020-07-01").json()["total_collected"] == 0


@pytest.mark.parametrize("query", ["?regency=31.71.01", "?regency=99.99", "?program=NOPE",
                                   "?start=2020-13-01", "?start=2020-07-01&end=2020-06-01"])
def test_api_refuses_bad_filters(jakarta, client, query):  # type: ignore[no-untyped-def]
    assert client.get(API + query).status_code == 400


def test_page_with_bad_filters_shows_everything_and_says_so(may_2021, client):  # type: ignore[no-untyped-def]
    page = client.get("/?regency=nope", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Some filters are not valid" in page.content.decode()
    assert _embedded(page.content.decode())["total_collected"] == 100_000_000


def test_page_works_without_javascript_and_has_no_inline_script(may_2021, client):  # type: ignore[no-untyped-def]
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for key in ("by_regency", "by_collaborator_kind", "by_program", "by_item", "weekly"):
        assert f'id="table-{key}"' in html
    assert "<details class=\"chart-data\" open>" in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "ksbb/vendor/echarts/echarts.min.js" in html
    assert "ksbb/js/dashboard.js" in html
    assert "Audit log head" in html  # still at the bottom
    assert "Kota Administrasi Jakarta Selatan" in html
    assert re.search(r"Recipients\s+\d", html)  # the reference counts, small


def test_empty_dashboard_page(jakarta, client):  # type: ignore[no-untyped-def]
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Rp 0" in page.content.decode()
    assert "Nothing collected yet" in page.content.decode()


def test_page_in_indonesian(may_2021, client):  # type: ignore[no-untyped-def]
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="id")
    assert page.status_code == 200
    assert "Rp 100.000.000" in page.content.decode()


def test_schema_documents_the_dashboard(client, db):  # type: ignore[no-untyped-def]
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/stats/dashboard/" in text
    assert "by_collaborator_kind" in text
