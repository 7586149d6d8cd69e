"""Household pages: the ketua RW's checklist and taps, cards, the reports, the citizen
check (right answer, nothing more, rate limits) and the public figures."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from ksbb.households import identity
from ksbb.households.models import Handout, Household
from ksbb.reports.models import MisuseReport
from tests.households.conftest import RW_A, RW_A2, kk, nik


def _answer(html: str) -> dict[str, str]:
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    a, b = re.search(r"how much is (\d+) \+ (\d+)", html).groups()
    return {"challenge_token": token, "challenge_answer": str(int(a) + int(b))}


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def test_ketua_rw_taps_households_on_the_checklist(cast, lists, bast, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.ketua_rw)
    url = reverse("field:handout_checklist", args=[bast.pk])
    page = c.get(url + "?rt=1")
    assert page.status_code == 200
    assert page.content.decode().count("Kepala Keluarga") == 3
    assert "40 of 40 left" in page.content.decode()
    h = Household.objects.get(rw_id=RW_A, head_name="Kepala Keluarga 1")
    tap = c.post(reverse("field:handout_tap", args=[bast.pk, h.pk]), {"quantity": "2"},
                 HTTP_HX_REQUEST="true")
    body = tap.content.decode()
    assert tap.status_code == 200 and "38 of 40 left" in body and 'hx-swap-oob="true"' in body
    assert len(body) < 3000  # one small fragment, for a slow connection
    again = c.post(reverse("field:handout_tap", args=[bast.pk, h.pk]), {"quantity": "1"},
                   HTTP_HX_REQUEST="true")
    assert again.status_code == 400 and "already recorded" in again.content.decode()
    too_many = c.post(reverse("field:handout_tap", args=[bast.pk, lists.households[1].pk]),
                      {"quantity": "39"}, HTTP_HX_REQUEST="true")
    assert too_many.status_code == 400 and "only 38 left" in too_many.content.decode()
    assert Handout.objects.count() == 1
    # Not yet received only, and the card's number finds the household.
    assert "Kepala Keluarga 1<" not in c.get(url + "?open=1").content.decode()
    assert c.get(url + f"?q={h.pk}").content.decode().count("Kepala Keluarga") == 1


def test_cards_carry_a_qr_code_to_the_household_row(cast, lists, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.ketua_rw)
    page = c.get(reverse("field:household_cards", args=[RW_A]))
    # One QR code per household card (the header has icons of its own).
    assert page.status_code == 200 and page.content.decode().count('<div class="qr"><svg') == 6
    h = lists.households[0]
    row = c.get(reverse("field:household", args=[h.pk]))
    assert row.status_code == 200 and h.head_name in row.content.decode()
    assert kk(1) not in row.content.decode() and h.kk_masked in row.content.decode()


@pytest.mark.parametrize("role", ["admin", "aggregator", "executor", "collaborator",
                                  "outsider"])
def test_names_are_not_shown_to_other_roles(cast, lists, client_for, role):  # type: ignore[no-untyped-def]
    c = client_for(getattr(cast, role))
    assert c.get(reverse("field:household", args=[lists.households[0].pk])).status_code == 403
    assert c.get(reverse("field:household_rw", args=[RW_A])).status_code == 403


def test_officer_reads_but_does_not_edit(cast, lists, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.kelurahan)
    assert c.get(reverse("field:household_rw", args=[RW_A])).status_code == 200
    other = Household.objects.exclude(rw__code__startswith=RW_A[:13]).first()
    assert c.get(reverse("field:household", args=[other.pk])).status_code == 403
    assert c.post(reverse("field:household_status", args=[lists.households[0].pk]),
                  {"status": "moved", "reason": "x"}).status_code == 403


def test_reports_pages(cast, lists, bast, client_for):  # type: ignore[no-untyped-def]
    c = client_for(cast.assessor)
    assert c.get(reverse("backoffice:households")).status_code == 200
    assert c.get(reverse("backoffice:household_reach")).status_code == 200
    assert c.get(reverse("backoffice:household_twice")).status_code == 200
    late = c.get(reverse("backoffice:household_late") + "?days=0")
    assert bast.number in late.content.decode()


def test_citizen_check_right_answer_nothing_more_and_report(cast, lists, bast, client):  # type: ignore[no-untyped-def]
    url = reverse("web:household_check")
    page = client.get(url)
    answer = client.post(url, {"nik": nik(2), "kk": kk(2), **_answer(page.content.decode())})
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "Your household is on the list of RW 001" in body
    assert "Kepala Keluarga 2" not in body and nik(2) not in body and kk(2) not in body
    link = re.search(r'href="(/reports/new/\?category=registered_nothing[^"]+)"', body)
    assert link, body
    form = client.get(link.group(1).replace("&amp;", "&"))
    html = form.content.decode()
    assert 'value="registered_nothing" selected' in html and RW_A in html
    data = {"category": "registered_nothing", "area": RW_A, "description": "Tidak dapat apa-apa",
            "round": re.search(r'name="round" value="(\d+)"', html).group(1),
            **_answer(html)}
    assert client.post("/reports/new/", data).status_code == 302
    report = MisuseReport.objects.get(category="registered_nothing")
    assert report.area_id == RW_A and report.round_id is not None


def test_citizen_check_wrong_pair_and_rate_limits(cast, lists, client, settings):  # type: ignore[no-untyped-def]
    settings.KSBB_CHECKS_PER_NUMBER_HOUR = 2
    url = reverse("web:household_check")

    def check(nik_: str, kk_: str):  # type: ignore[no-untyped-def]
        return client.post(url, {"nik": nik_, "kk": kk_, **_answer(client.get(url).content
                                                                       .decode())})

    assert "No household with this NIK" in check(nik(2), kk(3)).content.decode()
    assert check(nik(2), kk(4)).status_code == 200
    assert check(nik(2), kk(5)).status_code == 429  # the same NIK a third time
    assert check(nik(3), kk(3)).status_code == 200
    settings.KSBB_CHECKS_PER_ADDRESS_HOUR = 3
    assert check(nik(4), kk(4)).status_code == 429  # this address has had three
    bad = client.post(url, {"nik": nik(5), "kk": kk(5), "challenge_token": "x",
                            "challenge_answer": "3"})
    assert bad.status_code == 400
    assert not any(nik(2) in str(k) for k in getattr(cache, "_cache", {}))
    assert identity.keyed_hash("nik", nik(2)) != nik(2)


def test_public_figures_page_suppresses(cast, lists, client):  # type: ignore[no-untyped-def]
    page = client.get(reverse("web:household_figures"))
    body = page.content.decode()
    assert page.status_code == 200 and "&lt;5" in body and "Kepala" not in body


def test_open_data_households_counts_only_with_suppression(cast, lists, client):  # type: ignore[no-untyped-def]
    import csv
    import io

    for fmt in ("csv", "json", "xlsx", "hxl.csv"):
        assert client.get(f"/open-data/households.{fmt}").status_code == 200
    def text_of(url: str) -> str:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return body.decode("utf-8-sig")

    rows = list(csv.DictReader(io.StringIO(text_of("/open-data/households.csv"))))
    by_code = {r["area_code"]: r for r in rows}
    # RW A2's 2 households would follow from village A's 8 minus RW A's 6: both hidden.
    assert by_code[RW_A]["households_listed"] == "x"
    assert by_code[RW_A2]["households_listed"] == "<5"
    assert by_code[RW_A[:13]]["households_listed"] == "8"
    assert by_code[RW_A]["households_reached"] == "<5"
    assert by_code[RW_A]["share_reached_percent"] == ""
    text = text_of("/open-data/households.json")
    assert "Kepala" not in text and identity.mask(nik(1)) not in text
