"""Regions as data: the default region, adding one, which region an area belongs to."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command

from ksbb.accounts.models import Membership, Organization, Role
from ksbb.areas.models import Area
from ksbb.core.domain import Invalid, NotAllowed, SystemActor
from ksbb.regions.models import Region
from ksbb.regions.selectors import (
    area_filter,
    default_region,
    region_key_of_area,
    region_of_area,
    region_table,
    regions,
)
from ksbb.regions.services import region_add, region_link_organization

pytestmark = pytest.mark.django_db
CLI = SystemActor("test")


def test_the_installation_starts_with_its_province_as_the_default_region() -> None:
    region = default_region()
    assert region.pk is not None and region.code == "31" and region.is_default
    assert region.name == "KSBB Jakarta" and region.slug == "jakarta"
    assert list(regions()) == [region]


def test_adding_a_region_loads_its_areas_creates_its_government_and_invites(
        jakarta, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    assert not Area.objects.filter(code="32.73").exists()
    with django_capture_on_commit_callbacks(execute=True):
        region = region_add(code="32.73", name="KSBB Kota Bandung",
                            admin_email="Ayu@Bandung.id", by=CLI)
    assert Area.objects.filter(code="32.73.01.1001").exists()
    assert (region.code, region.slug, region.is_default) == ("32.73", "kota-bandung", False)
    government = region.organizations.get()
    assert government.kind == Organization.Kind.GOVERNMENT
    assert government.area_id == "32.73"
    admin = Membership.objects.get(organization=government)
    assert admin.role == Role.PLATFORM_ADMIN and admin.user.email == "ayu@bandung.id"
    assert not admin.user.has_usable_password()
    assert len(mail.outbox) == 1 and "/password/reset/" in mail.outbox[0].body
    assert default_region().code == "31"


def test_a_region_is_refused_twice_outside_the_area_data_and_to_others(cast) -> None:
    region_add(code="32.73", by=CLI)
    with pytest.raises(Invalid):
        region_add(code="32.73", by=CLI)
    with pytest.raises(Invalid):
        region_add(code="32.99", by=CLI)
    with pytest.raises(Invalid):
        region_add(code="32.73.01", by=CLI)
    with pytest.raises(NotAllowed):
        region_add(code="33", by=cast.assessor)
    assert region_add(code="33", by=cast.admin).name == "KSBB Jawa Tengah"


def test_an_area_belongs_to_the_most_specific_region(jakarta) -> None:
    bandung = region_add(code="32.73", by=CLI)
    west_java = region_add(code="32", by=CLI)
    jakarta_region = default_region()
    assert region_of_area("32.73.01.1001.001") == bandung
    assert region_of_area("32.73") == bandung
    assert region_of_area("32.01.01.2001") == west_java
    assert region_of_area("31.71.01.1001") == jakarta_region
    assert region_of_area("33.01") is None
    # Unclaimed areas count for the default region.
    assert region_key_of_area("33.01") == jakarta_region.pk
    # The list filter agrees with the one-by-one answer for every village.
    table = region_table()
    for region in (bandung, west_java, jakarta_region):
        inside = set(Area.objects.filter(area_filter(region, "code", table))
                     .filter(level=Area.Level.VILLAGE).values_list("code", flat=True))
        expected = {c for c in Area.objects.filter(level=Area.Level.VILLAGE)
                    .values_list("code", flat=True) if region_key_of_area(c) == region.pk}
        assert inside == expected and inside


def test_an_aggregator_serves_regions_a_government_belongs_to_one(cast) -> None:
    bandung = region_add(code="32.73", by=CLI)
    region_link_organization(region=bandung, organization=cast.aggregator_org, by=CLI)
    assert set(cast.aggregator_org.regions.all()) == {bandung, default_region()}
    # A government organisation moves with its first link, then belongs to that region.
    region_link_organization(region=bandung, organization=cast.government, by=CLI)
    assert list(cast.government.regions.all()) == [bandung]
    with pytest.raises(Invalid):
        region_link_organization(region=default_region(), organization=cast.government,
                                 by=CLI)
    with pytest.raises(Invalid):
        region_link_organization(region=bandung, organization=cast.executor_org, by=CLI)


def test_the_command_adds_and_lists_regions(jakarta) -> None:
    out = io.StringIO()
    call_command("region", "add", "32.73", "--name", "KSBB Kota Bandung",
                 "--admin", "ayu@bandung.id", stdout=out)
    assert "32.73" in out.getvalue() and "ayu@bandung.id" in out.getvalue()
    out = io.StringIO()
    call_command("region", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("31") and "(default)" in lines[0]
    assert lines[1].startswith("32.73") and "KSBB Kota Bandung" in lines[1]
    assert Region.objects.count() == 2
