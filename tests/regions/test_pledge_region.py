"""A pledge belongs to the region it is pledged to (issue 18, item 3): the donor chooses it
on the web pledge form (or the place chosen decides it), and the statistics count a pledge
given to a region without a place in that region, not where the donor lives."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation

from ksbb.accounts.models import Organization
from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_receive, pledge_submit
from ksbb.regions.models import Region
from ksbb.regions.services import region_add, region_link_organization
from ksbb.stats.pagecache import clear_local
from ksbb.stats.reference import reference_dashboard
from ksbb.stats.regional import national
from ksbb.stats.rollups import rebuild, rebuild_stale_and_bump
from ksbb.stats.selectors import Filters, dashboard, stats_invalidate
from tests.conftest import SETUP, VILLAGE_A, VILLAGE_BANDUNG
from tests.donations.conftest import Donations, setup_donations

pytestmark = pytest.mark.django_db


@pytest.fixture
def don(cast: Any) -> Donations:
    return setup_donations(cast)


@pytest.fixture
def both(cast: Any, bandung: Any, don: Any) -> Any:
    """The cast's aggregator serves Bandung too; the cast's donor lives in Jakarta."""
    region_link_organization(region=bandung.region, organization=cast.aggregator_org, by=SETUP)
    Organization.objects.filter(pk=cast.collaborator_org.pk).update(area_id=VILLAGE_A)
    cast.collaborator_org.refresh_from_db()
    cache.clear()
    clear_local()
    return bandung


def _figures(code: str) -> tuple[int, int]:
    cache.clear()
    clear_local()
    board = dashboard(Filters(region=code))
    return board.total_collected, board.pledges


def _national_row(code: str) -> tuple[int, int]:
    cache.clear()
    clear_local()
    row = next(r for r in national(None).regions if r.code == code)
    return row.total_collected, row.pledges


def test_money_given_to_bandung_by_a_jakarta_donor_counts_in_bandung(
        cast: Any, both: Any, don: Any) -> None:
    before_jakarta = _figures("31")
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           program=don.pangan, amount=750_000, region=both.region,
                           by=cast.collaborator)
    assert pledge.region == both.region and pledge.preferred_area is None
    pledge_receive(pledge=pledge, received_amount=750_000, by=cast.aggregator)
    # Kept by the service (the increments) ...
    assert _figures("32.73") == (750_000, 1)
    assert _figures("31") == before_jakarta
    assert _national_row("32.73") == (750_000, 1)
    assert _national_row("31") == before_jakarta
    # ... and the same when the rollups are rebuilt from the source tables.
    rebuild()
    assert _figures("32.73") == (750_000, 1)
    assert _national_row("31") == before_jakarta


def test_a_pledge_to_the_donors_own_region_still_counts_where_the_donor_lives(
        cast: Any, both: Any, don: Any) -> None:
    """The regency breakdown of a region keeps the donor's own regency when the donor
    lives in the region given to (one region behaves as before)."""
    pledge = pledge_receive(pledge=pledge_submit(
        collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
        program=don.pangan, amount=300_000, by=cast.collaborator),
        received_amount=300_000, by=cast.aggregator)
    assert pledge.region is not None and pledge.region.is_default
    cache.clear()
    clear_local()
    shares = {s.key: s.value for s in dashboard(Filters(region="31")).by_regency}
    assert shares.get(VILLAGE_A[:5]) == 300_000
    stats_invalidate()
    rebuild_stale_and_bump()
    cache.clear()
    clear_local()
    shares = {s.key: s.value for s in dashboard(Filters(region="31")).by_regency}
    assert shares.get(VILLAGE_A[:5]) == 300_000


def test_a_province_region_counts_a_pledge_without_a_place_at_its_own_code(
        cast: Any, both: Any, don: Any) -> None:
    west_java = region_add(code="32", name="KSBB Jawa Barat", by=SETUP)
    region_link_organization(region=west_java, organization=cast.aggregator_org, by=SETUP)
    pledge_receive(pledge=pledge_submit(
        collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
        program=don.pangan, amount=200_000, region=west_java, by=cast.collaborator),
        received_amount=200_000, by=cast.aggregator)
    assert _figures("32") == (200_000, 1)
    assert _figures("32.73") == (0, 0)
    rebuild()
    assert _figures("32") == (200_000, 1)
    assert _national_row("32") == (200_000, 1)


def test_the_reference_agrees_with_the_rollups(cast: Any, both: Any, don: Any) -> None:
    pledge_receive(pledge=pledge_submit(
        collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
        program=don.pangan, amount=750_000, region=both.region, by=cast.collaborator),
        received_amount=750_000, by=cast.aggregator)
    with translation.override("en"):
        ref = reference_dashboard(Filters(regency="32.73"))
        assert ref.total_collected == 750_000
        assert Pledge.objects.filter(region=both.region).count() == 1
        assert Region.objects.count() == 2


# The web pledge form.

NEW = "/donations/pledges/new/"


def _region_options(html: str) -> dict[str, bool]:
    """The region select's options: value -> selected."""
    select = html.split('name="region"', 1)[1].split("</select>", 1)[0]
    return {part.split('"', 1)[0]: "selected" in part.split(">", 1)[0]
            for part in select.split('<option value="')[1:]}


def test_a_donor_gives_to_two_regions_on_the_pledge_form(
        cast: Any, both: Any, don: Any, client_for: Any) -> None:
    client = client_for(cast.collaborator)
    page = client.get(NEW).content.decode()
    jakarta = Region.objects.get(is_default=True)
    # Every region, the default one chosen when no place is.
    assert _region_options(page) == {str(jakarta.pk): True, str(both.region.pk): False}
    # Money for Bandung, chosen explicitly: no place at all.
    response = client.post(NEW, {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "kind": "money", "program": don.pangan.pk, "amount_rupiah": "500000",
        "region": both.region.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    money = Pledge.objects.get(kind="money")
    assert money.region == both.region and money.preferred_area is None
    # Goods for a Jakarta village, Jakarta chosen.
    response = client.post(NEW, {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "kind": "goods", "item": don.sembako.pk, "quantity": "10",
        "preferred_area": VILLAGE_A, "region": jakarta.pk})
    assert response.status_code == 302
    assert Pledge.objects.get(kind="goods").region == jakarta
    # A place chosen on the need map preselects its region.
    page = client.get(f"{NEW}?preferred_area={VILLAGE_BANDUNG}").content.decode()
    assert _region_options(page)[str(both.region.pk)] is True
    recipient = client.get(f"{NEW}?recipient={both.recipient.pk}").content.decode()
    assert _region_options(recipient)[str(both.region.pk)] is True


def test_a_place_outside_the_region_chosen_is_refused_on_the_region_field(
        cast: Any, both: Any, don: Any, client_for: Any) -> None:
    client = client_for(cast.collaborator)
    with translation.override("en"):
        response = client.post(NEW, {
            "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
            "kind": "goods", "item": don.sembako.pk, "quantity": "10",
            "preferred_area": VILLAGE_BANDUNG,
            "region": Region.objects.get(is_default=True).pk})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["region"]
    message = form.errors["region"][0]
    assert "KSBB Kota Bandung" in message and "KSBB Jakarta" in message
    # The recipient chosen on the map decides just as well.
    response = client.post(NEW, {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "kind": "goods", "item": don.sembako.pk, "quantity": "10",
        "recipient": cast.recipient.pk, "region": both.region.pk})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["region"]
    assert not Pledge.objects.exists()
    # Not a region at all.
    response = client.post(NEW, {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "kind": "money", "program": don.pangan.pk, "amount_rupiah": "500000",
        "region": "999999"})
    assert response.status_code == 400 and "region" in response.context["form"].errors


def test_one_region_shows_no_region_field(cast: Any, don: Any, client_for: Any) -> None:
    client = client_for(cast.collaborator)
    page = client.get(NEW).content.decode()
    assert 'name="region"' not in page
    response = client.post(NEW, {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "kind": "money", "program": don.pangan.pk, "amount_rupiah": "500000"})
    assert response.status_code == 302
    assert Pledge.objects.get().region == Region.objects.get(is_default=True)
