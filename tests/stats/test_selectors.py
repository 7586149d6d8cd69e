"""Each dashboard figure against numbers worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from ksbb.donations.models import Item, Pledge, Purchase, PurchaseFunding
from ksbb.stats.selectors import UNKNOWN, Filters, dashboard, stats_invalidate
from tests.stats.conftest import (
    BARAT,
    MAY_2021_KINDS,
    MAY_2021_REGENCIES,
    PUSAT,
    SELATAN,
    SERIBU,
    UNIT,
    at_jakarta,
)

pytestmark = pytest.mark.django_db


def _percents(shares):  # type: ignore[no-untyped-def]
    return [(s.key, s.percent) for s in shares]


def test_may_2021_shares_by_regency_and_collaborator_kind(may_2021):  # type: ignore[no-untyped-def]
    d = dashboard()
    assert d.total_collected == 100 * UNIT
    assert d.collaborators == 5
    assert _percents(d.by_regency) == [(code, float(pct)) for code, pct in MAY_2021_REGENCIES]
    assert [s.value for s in d.by_regency] == [pct * UNIT for _c, pct in MAY_2021_REGENCIES]
    assert d.by_regency[0].label == "Kota Administrasi Jakarta Selatan"
    assert d.by_regency[-1].label == "Kabupaten Administrasi Kepulauan Seribu"
    assert _percents(d.by_collaborator_kind) == [(k, float(p)) for k, p in MAY_2021_KINDS]
    assert [s.label for s in d.by_collaborator_kind] == [
        "social organisation", "business", "individual", "community", "government institution"]
    assert _percents(d.by_program) == [("PANGAN", 100.0)]
    assert _percents(d.by_item) == [("money", 100.0)]


def test_goods_count_at_item_value_and_only_received_states(make_collaborator, make_pledge):  # type: ignore[no-untyped-def]
    sembako = Item.objects.get(name="Paket sembako")  # Rp 300.000 a package
    org = make_collaborator("PT Sembako", "business", "31.71.01.1001")
    other = make_collaborator("Komunitas", "community")
    make_pledge(org, item=sembako, quantity=8)  # 2.400.000
    make_pledge(org, amount=500_000, state=Pledge.State.ALLOCATED)
    make_pledge(org, amount=300_000, state=Pledge.State.DISTRIBUTED)
    make_pledge(org, amount=200_000, state=Pledge.State.COMPLETED)
    for state in (Pledge.State.SUBMITTED, Pledge.State.CANCELLED, Pledge.State.REJECTED):
        make_pledge(other, amount=9_000_000, state=state)
    stats_invalidate()
    d = dashboard()
    assert d.total_collected == 2_400_000 + 500_000 + 300_000 + 200_000
    assert d.collaborators == 1  # the community has nothing received
    assert d.pledges == 4
    assert _percents(d.by_regency) == [(PUSAT, 100.0)]


def test_regency_of_preferred_area_else_collaborator_area_else_unknown(
        make_collaborator, make_pledge):  # type: ignore[no-untyped-def]
    located = make_collaborator("Located", "individual", "31.73.01.1001")
    nowhere = make_collaborator("Nowhere", None)  # no area, no profile
    make_pledge(located, amount=600_000, area="31.74.01.1001")  # preferred: Selatan
    make_pledge(located, amount=300_000)  # its own area: Barat
    make_pledge(nowhere, amount=100_000)
    stats_invalidate()
    d = dashboard()
    assert [(s.key, s.value, s.percent) for s in d.by_regency] == [
        (SELATAN, 600_000, 60.0), (BARAT, 300_000, 30.0), (UNKNOWN, 100_000, 10.0)]
    assert [(s.key, s.percent) for s in d.by_collaborator_kind] == [
        ("individual", 90.0), (UNKNOWN, 10.0)]
    assert d.by_regency[-1].label == "unknown"


def test_by_programme_and_by_item_with_money_turned_into_goods(
        make_collaborator, make_pledge, aggregator):  # type: ignore[no-untyped-def]
    org = make_collaborator("Yayasan", "social_org")
    sembako = Item.objects.get(name="Paket sembako")
    stationery = Item.objects.get(name="Paket alat tulis sekolah")  # Rp 150.000
    make_pledge(org, item=sembako, quantity=10)  # 3.000.000
    money = make_pledge(org, amount=2_000_000)  # Pangan
    make_pledge(org, item=stationery, quantity=20)  # 3.000.000, Pendidikan
    make_pledge(org, amount=2_000_000, program="UMKM")
    purchase = Purchase.objects.create(aggregator=aggregator, item=sembako, quantity=5,
                                       cost_rupiah=1_500_000, supplier="Toko",
                                       purchased_at=dt.date(2020, 6, 5))
    PurchaseFunding.objects.create(purchase=purchase, pledge=money, amount_rupiah=1_500_000)
    d = dashboard()
    assert d.total_collected == 10_000_000
    assert [(s.key, s.value, s.percent) for s in d.by_program] == [
        ("PANGAN", 5_000_000, 50.0), ("PENDIDIKAN", 3_000_000, 30.0), ("UMKM", 2_000_000, 20.0)]
    assert [(s.key, s.value) for s in d.by_item] == [
        (str(sembako.pk), 4_500_000), (str(stationery.pk), 3_000_000),
        ("money", 2_500_000)]
    assert sum(s.value for s in d.by_item) == d.total_collected


def test_weekly_totals_by_iso_week_in_jakarta_time(make_collaborator, make_pledge):  # type: ignore[no-untyped-def]
    org = make_collaborator("Donor", "business")
    # Sunday 31 May 2020 23:30 in Jakarta is still the week of Monday 25 May (16:30 UTC).
    make_pledge(org, amount=100, received_at=at_jakarta(2020, 5, 31, 23, 30))
    # Monday 1 June 2020 00:30 in Jakarta (Sunday 17:30 UTC) starts the next week.
    make_pledge(org, amount=200, received_at=at_jakarta(2020, 6, 1, 0, 30))
    make_pledge(org, amount=300, received_at=at_jakarta(2020, 6, 7, 22, 0))
    make_pledge(org, amount=400, received_at=at_jakarta(2020, 6, 16))  # after an empty week
    stats_invalidate()
    weekly = [(w.week_start, w.value) for w in dashboard().weekly]
    assert weekly == [(dt.date(2020, 5, 25), 100), (dt.date(2020, 6, 1), 500),
                      (dt.date(2020, 6, 8), 0), (dt.date(2020, 6, 15), 400)]


def test_weekly_totals_are_the_same_when_the_database_truncates(
        make_collaborator, make_pledge, monkeypatch):  # type: ignore[no-untyped-def]
    from ksbb.stats import selectors

    org = make_collaborator("Donor", "business")
    for when, amount in [(at_jakarta(2020, 5, 31, 23, 30), 100),
                         (at_jakarta(2020, 6, 1, 0, 30), 200), (at_jakarta(2020, 6, 16), 400)]:
        make_pledge(org, amount=amount, received_at=when)
    by_case = selectors.dashboard(use_cache=False).weekly
    monkeypatch.setattr(selectors, "MAX_CASE_WEEKS", 0)
    assert selectors.dashboard(use_cache=False).weekly == by_case
    assert [w.value for w in by_case] == [100, 200, 0, 400]


def test_filters_programme_regency_and_period(make_collaborator, make_pledge):  # type: ignore[no-untyped-def]
    org = make_collaborator("Donor", "business", "31.71.01.1001")  # Pusat
    make_pledge(org, amount=1_000, received_at=at_jakarta(2020, 6, 1, 0, 5))
    make_pledge(org, amount=2_000, area="31.74", received_at=at_jakarta(2020, 6, 30, 23, 55))
    make_pledge(org, amount=4_000, program="PENDIDIKAN", received_at=at_jakarta(2020, 7, 1, 0, 5))
    make_pledge(org, amount=8_000, received_at=at_jakarta(2020, 5, 31, 23, 55))
    stats_invalidate()
    assert dashboard().total_collected == 15_000
    assert dashboard(Filters(program="PANGAN")).total_collected == 11_000
    assert dashboard(Filters(program="PENDIDIKAN")).total_collected == 4_000
    assert dashboard(Filters(regency=SELATAN)).total_collected == 2_000
    assert dashboard(Filters(regency=PUSAT)).total_collected == 13_000
    assert dashboard(Filters(regency=SERIBU)).total_collected == 0
    june = Filters(start=dt.date(2020, 6, 1), end=dt.date(2020, 6, 30))
    assert dashboard(june).total_collected == 3_000  # both ends inclusive, Jakarta days
    assert dashboard(Filters(start=dt.date(2020, 7, 1))).total_collected == 4_000
    assert dashboard(Filters(end=dt.date(2020, 5, 31))).total_collected == 8_000
    both = dashboard(Filters(program="PANGAN", regency=PUSAT, start=dt.date(2020, 6, 1)))
    assert both.total_collected == 1_000
    assert both.collaborators == 1


def test_nothing_collected_gives_zeros_and_empty_lists(jakarta):  # type: ignore[no-untyped-def]
    d = dashboard()
    assert (d.total_collected, d.collaborators, d.pledges) == (0, 0, 0)
    assert d.by_regency == d.by_item == d.weekly == []


def test_deliveries_are_zero_until_distribution_exists(may_2021):  # type: ignore[no-untyped-def]
    d = dashboard()
    assert (d.deliveries, d.packages_delivered, d.recipients_reached) == (0, 0, 0)
    assert d.by_recipient_kind == []


def test_as_dict_is_json_ready(may_2021):  # type: ignore[no-untyped-def]
    import json

    data = dashboard(Filters(start=dt.date(2020, 6, 1))).as_dict()
    assert data["filters"]["start"] == "2020-06-01"
    assert data["weekly"][0]["week_start"] == "2020-06-01"
    json.dumps(data)
