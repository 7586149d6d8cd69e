"""A region's programmes (issue 18, item 1): the standard programmes are a template each
region adopts and may rename, by its own administrator (or the installation's), never by
another region's; pledges to the region name only what it runs; its public page, the pledge
form and the open data show the region's own name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ksbb.accounts.models import Role
from ksbb.accounts.services import membership_grant, user_create
from ksbb.core.domain import Invalid, NotAllowed, WrongState
from ksbb.core.models import AuditEntry
from ksbb.donations.models import Pledge, Program, RegionProgram
from ksbb.donations.selectors import program_names, programs_of_region
from ksbb.donations.services import (
    pledge_receive,
    pledge_submit,
    region_program_adopt,
    region_program_create,
    region_program_rename,
    region_program_withdraw,
)
from ksbb.regions.models import Region
from ksbb.regions.services import region_link_organization
from ksbb.stats.pagecache import clear_local
from tests.conftest import PASSWORD, SETUP
from tests.donations.conftest import Donations, setup_donations

pytestmark = pytest.mark.django_db
LOCAL = "Pangan Sehat Bandung"


@pytest.fixture
def don(cast: Any) -> Donations:
    return setup_donations(cast)


@pytest.fixture
def jakarta_admin(cast: Any) -> Any:
    """The default region's administrator: a platform administrator of its government."""
    user = user_create(username="jakarta_admin", password=PASSWORD, by=SETUP)
    membership_grant(user=user, role=Role.PLATFORM_ADMIN, organization=cast.government,
                     by=SETUP)
    return user


def test_a_region_adopts_and_renames_a_programme_by_its_own_administrator(
        cast: Any, bandung: Any, don: Any) -> None:
    pendidikan = Program.objects.get(code="PENDIDIKAN")
    # Nothing adopted: every active programme.
    assert set(programs_of_region(bandung.region)) == set(Program.objects.filter(
        is_active=True))
    row = region_program_adopt(region=bandung.region, program=don.pangan, local_name=LOCAL,
                               by=bandung.admin)
    assert (row.region, row.program, row.name, row.is_active) == (
        bandung.region, don.pangan, LOCAL, True)
    # The first adoption makes the list explicit; the default region keeps every one.
    assert list(programs_of_region(bandung.region)) == [don.pangan]
    assert pendidikan in programs_of_region(None)
    assert program_names(bandung.region) == {"PANGAN": LOCAL}
    with pytest.raises(WrongState) as refused:
        region_program_adopt(region=bandung.region, program=don.pangan, by=bandung.admin)
    assert refused.value.field == "program"
    with pytest.raises(WrongState):
        region_program_rename(region=bandung.region, program=pendidikan, local_name="X",
                              by=bandung.admin)
    region_program_rename(region=bandung.region, program=don.pangan, local_name="",
                          by=bandung.admin)
    assert program_names(bandung.region) == {}
    region_program_rename(region=bandung.region, program=don.pangan, local_name=LOCAL,
                          by=bandung.admin)
    actions = list(AuditEntry.objects.filter(action__startswith="region_program.")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["region_program.adopted", "region_program.renamed",
                       "region_program.renamed"]
    with pytest.raises(Invalid) as long:
        region_program_rename(region=bandung.region, program=don.pangan, local_name="x" * 201,
                              by=bandung.admin)
    assert long.value.field == "local_name"


def test_another_regions_administrator_is_refused_and_the_installations_is_not(
        cast: Any, bandung: Any, don: Any, jakarta_admin: Any) -> None:
    jakarta = Region.objects.get(is_default=True)
    for who, region in ((jakarta_admin, bandung.region), (bandung.admin, jakarta),
                        (bandung.assessor, bandung.region), (cast.collaborator, jakarta)):
        with pytest.raises(NotAllowed):
            region_program_adopt(region=region, program=don.pangan, by=who)
    assert not RegionProgram.objects.exists()
    region_program_adopt(region=jakarta, program=don.pangan, by=jakarta_admin)
    region_program_adopt(region=bandung.region, program=don.pangan, by=cast.admin)
    with pytest.raises(NotAllowed):
        region_program_rename(region=bandung.region, program=don.pangan, local_name="X",
                              by=jakarta_admin)
    with pytest.raises(NotAllowed):
        region_program_withdraw(region=bandung.region, program=don.pangan, by=jakarta_admin)
    assert RegionProgram.objects.get(region=bandung.region).is_active


def test_pledges_to_a_region_name_only_the_programmes_it_runs(
        cast: Any, bandung: Any, don: Any) -> None:
    region_link_organization(region=bandung.region, organization=cast.aggregator_org,
                             by=SETUP)
    pendidikan = Program.objects.get(code="PENDIDIKAN")
    region_program_adopt(region=bandung.region, program=pendidikan, by=bandung.admin)
    with pytest.raises(Invalid) as refused:
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      program=don.pangan, amount=100_000, region=bandung.region,
                      by=cast.collaborator)
    assert refused.value.field == "program"
    with pytest.raises(Invalid) as refused:
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=don.sembako, quantity=1, region=bandung.region,
                      by=cast.collaborator)
    assert refused.value.field == "item"
    # Jakarta adopted nothing: it still takes every programme.
    pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                  program=don.pangan, amount=100_000, by=cast.collaborator)
    region_program_adopt(region=bandung.region, program=don.pangan, by=bandung.admin)
    pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                  program=don.pangan, amount=100_000, region=bandung.region,
                  by=cast.collaborator)
    region_program_withdraw(region=bandung.region, program=don.pangan, by=bandung.admin)
    assert list(programs_of_region(bandung.region)) == [pendidikan]
    assert Pledge.objects.filter(region=bandung.region).count() == 1


def test_the_region_page_pledge_form_and_open_data_show_the_local_name(
        cast: Any, bandung: Any, don: Any, client_for: Any) -> None:
    region_link_organization(region=bandung.region, organization=cast.aggregator_org,
                             by=SETUP)
    region_program_adopt(region=bandung.region, program=don.pangan, local_name=LOCAL,
                         by=bandung.admin)
    pledge_receive(pledge=pledge_submit(
        collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
        program=don.pangan, amount=400_000, region=bandung.region, by=cast.collaborator),
        received_amount=400_000, by=cast.aggregator)
    cache.clear()
    clear_local()
    client = client_for(None)
    page = client.get(f"/r/{bandung.region.slug}/").content.decode()
    assert LOCAL in page
    home = client.get("/").content.decode()
    assert LOCAL not in home
    # Renamed: the cached page follows.
    region_program_rename(region=bandung.region, program=don.pangan, local_name="Lumbung",
                          by=bandung.admin)
    assert "Lumbung" in client.get(f"/r/{bandung.region.slug}/").content.decode()
    region_program_rename(region=bandung.region, program=don.pangan, local_name=LOCAL,
                          by=bandung.admin)
    rows = client.get(f"/open-data/pledges.json?region={bandung.region.slug}").json()["rows"]
    assert {r["program_name"] for r in rows} == {LOCAL}
    everywhere = client.get("/open-data/pledges.json").json()["rows"]
    assert {r["program_name"] for r in everywhere} == {LOCAL}
    # The pledge form names the programme as the region chosen calls it.
    form = client_for(cast.collaborator)
    chosen = form.get(f"/donations/pledges/new/?region={bandung.region.slug}").content.decode()
    assert LOCAL in chosen
    assert LOCAL not in form.get("/donations/pledges/new/").content.decode()


BEFORE = [("regions", "0002_default_region"), ("donations", "0004_pledge_region")]
LATEST = None  # every app's newest migration, as the other tests expect the database


def _migrate(target: Any) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_programmes_regions_adopted_are_carried_over(cast: Any, bandung: Any) -> None:
    # A transactional test before this one may have flushed the programmes the migrations
    # seed.
    pangan = Program.objects.get_or_create(code="PANGAN", defaults={"name": "KSBB Pangan"})[
        0].pk
    try:
        old = _migrate(BEFORE)
        old.get_model("regions", "Region").objects.get(pk=bandung.region.pk).programs.add(
            pangan)
    finally:
        new = _migrate(LATEST)
    rows = new.get_model("donations", "RegionProgram").objects.values_list(
        "region_id", "program_id", "local_name", "is_active")
    assert list(rows) == [(bandung.region.pk, pangan, "", True)]


def test_a_regions_administrator_manages_its_programmes_on_the_back_office_page(
        cast: Any, bandung: Any, don: Any, jakarta_admin: Any, client_for: Any) -> None:
    page = "/backoffice/programmes/"
    mine = client_for(bandung.admin)
    html = mine.get(page).content.decode()
    assert 'id="region-kota-bandung"' in html and 'id="region-jakarta"' not in html
    assert "/backoffice/programmes/" in mine.get("/backoffice/").content.decode()
    response = mine.post(page, {"region": "kota-bandung", "program": "PANGAN",
                                "action": "adopt", "local_name": LOCAL})
    assert response.status_code == 302
    assert program_names(bandung.region) == {"PANGAN": LOCAL}
    mine.post(page, {"region": "kota-bandung", "program": "PANGAN", "action": "rename",
                     "local_name": "Lumbung"})
    assert program_names(bandung.region) == {"PANGAN": "Lumbung"}
    # Another region's administrator sees and changes nothing of Bandung.
    theirs = client_for(jakarta_admin)
    assert 'id="region-kota-bandung"' not in theirs.get(page).content.decode()
    theirs.post(page, {"region": "kota-bandung", "program": "PANGAN", "action": "withdraw"})
    assert RegionProgram.objects.get(region=bandung.region).is_active
    # An assessor is no administrator.
    assert client_for(bandung.assessor).get(page).status_code == 403
    # The installation's administrator manages every region.
    html = client_for(cast.admin).get(page).content.decode()
    assert 'id="region-kota-bandung"' in html and 'id="region-jakarta"' in html
    client_for(cast.admin).post(page, {"region": "kota-bandung", "program": "PANGAN",
                                       "action": "withdraw"})
    assert not RegionProgram.objects.get(region=bandung.region).is_active


def test_a_region_extends_the_template_with_its_own_programme(
        cast: Any, bandung: Any, don: Any, jakarta_admin: Any, client_for: Any) -> None:
    region_link_organization(region=bandung.region, organization=cast.aggregator_org,
                             by=SETUP)
    jakarta = Region.objects.get(is_default=True)
    with pytest.raises(NotAllowed):
        region_program_create(region=bandung.region, code="BEASISWA_BDG", name="Beasiswa",
                              by=jakarta_admin)
    with pytest.raises(Invalid) as refused:
        region_program_create(region=bandung.region, code="pangan", name="Lagi",
                              by=bandung.admin)
    assert refused.value.message_dict.keys() == {"code"}
    response = client_for(bandung.admin).post("/backoffice/programmes/", {
        "region": "kota-bandung", "action": "create", "code": "beasiswa_bdg",
        "name": "Beasiswa Bandung"})
    assert response.status_code == 302
    own = Program.objects.get(code="BEASISWA_BDG")
    assert own.region == bandung.region and own.name == "Beasiswa Bandung"
    # Bandung runs it beside every standard programme (it adopted none); Jakarta does not,
    # and cannot adopt it.
    assert own in programs_of_region(bandung.region)
    assert don.pangan in programs_of_region(bandung.region)
    assert own not in programs_of_region(jakarta)
    with pytest.raises(Invalid):
        region_program_adopt(region=jakarta, program=own, by=jakarta_admin)
    with pytest.raises(Invalid):
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      program=own, amount=100_000, by=cast.collaborator)
    pledge = pledge_submit(collaborator=cast.collaborator_org,
                           aggregator=cast.aggregator_org, program=own, amount=100_000,
                           region=bandung.region, by=cast.collaborator)
    assert pledge.program == own
    # Only Bandung's dashboard offers it in its programme filter.
    cache.clear()
    clear_local()
    public = client_for(None)
    assert 'value="BEASISWA_BDG"' in public.get(f"/r/{bandung.region.slug}/").content.decode()
    assert 'value="BEASISWA_BDG"' not in public.get("/").content.decode()  # Jakarta's
    # The pledge form offers it for Bandung only.
    form = client_for(cast.collaborator)
    assert "Beasiswa Bandung" in form.get(
        "/donations/pledges/new/?region=kota-bandung").content.decode()
    assert "Beasiswa Bandung" not in form.get("/donations/pledges/new/").content.decode()
    assert AuditEntry.objects.filter(action="region_program.created").count() == 1


def test_the_programmes_api_answers_for_a_region_with_its_own_names(
        cast: Any, bandung: Any, don: Any, client_for: Any) -> None:
    """/api/v1/programs/?region= lists what that region runs, under its names; without the
    parameter the answer is what it always was (every programme, standard names)."""
    pendidikan = Program.objects.get(code="PENDIDIKAN")
    region_program_adopt(region=bandung.region, program=don.pangan, local_name=LOCAL,
                         by=bandung.admin)
    region_program_create(region=bandung.region, code="BEASISWA_BDG",
                          name="Beasiswa Bandung", by=bandung.admin)
    api = client_for(None)

    def listed(query: dict[str, str]) -> dict[str, dict[str, Any]]:
        response = api.get("/api/v1/programs/", query)
        assert response.status_code == 200, response.content
        return {p["code"]: p for p in response.json()["results"]}

    everything = listed({})
    assert everything["PANGAN"]["name"] == don.pangan.name
    assert everything["BEASISWA_BDG"]["region"] == bandung.region.code
    assert everything["PANGAN"]["region"] is None
    for key in (bandung.region.slug, bandung.region.code):
        mine = listed({"region": key})
        assert set(mine) == {"PANGAN", "BEASISWA_BDG"}
        assert mine["PANGAN"]["name"] == LOCAL
        assert mine["PANGAN"]["standard_name"] == don.pangan.name
    jakarta = listed({"region": Region.objects.get(is_default=True).slug})
    assert "BEASISWA_BDG" not in jakarta and pendidikan.code in jakarta
    assert jakarta["PANGAN"]["name"] == don.pangan.name
    refused = api.get("/api/v1/programs/", {"region": "atlantis"})
    assert refused.status_code == 400
    assert "region" in refused.json()


def _options(html: str, name: str) -> dict[str, str]:
    """The options of the select ``name`` in ``html``: value -> label."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return {value: label.strip() for value, label in re.findall(
        r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))}


def test_the_pledge_forms_programmes_follow_the_region_chosen(
        cast: Any, bandung: Any, don: Any, client_for: Any) -> None:
    """Choosing another region on the pledge form fetches that region's programmes and
    items (htmx, out of band); without JavaScript a button re-renders the form for it."""
    pendidikan = Program.objects.get(code="PENDIDIKAN")
    region_program_adopt(region=bandung.region, program=pendidikan, local_name="Sekolah",
                         by=bandung.admin)
    own = region_program_create(region=bandung.region, code="BEASISWA_BDG",
                                name="Beasiswa Bandung", by=bandung.admin).program
    jakarta = Region.objects.get(is_default=True)
    client = client_for(cast.collaborator)
    url = "/donations/pledges/new/programmes/"
    form = client.get("/donations/pledges/new/").content.decode()
    assert f'hx-get="{url}"' in form
    assert 'id="pledge-program"' in form and 'id="pledge-item"' in form

    theirs = client.get(url, {"region": bandung.region.pk})
    assert theirs.status_code == 200
    html = theirs.content.decode()
    assert html.count('hx-swap-oob="true"') == 2
    programs = _options(html, "program")
    assert programs == {"": "---------", str(pendidikan.pk): "Sekolah",
                        str(own.pk): "Beasiswa Bandung"}
    assert str(don.sembako.pk) not in _options(html, "item")

    ours = client.get(url, {"region": jakarta.pk, "program": don.pangan.pk}).content.decode()
    programs = _options(ours, "program")
    assert programs[str(don.pangan.pk)] == don.pangan.name
    assert programs[str(pendidikan.pk)] == pendidikan.name and str(own.pk) not in programs
    assert str(don.sembako.pk) in _options(ours, "item")
    assert re.search(rf'<option value="{don.pangan.pk}" selected>', ours)
    # A programme chosen that the other region does not run leaves nothing chosen there.
    theirs_html = client.get(url, {"region": bandung.region.pk,
                                   "program": don.pangan.pk}).content.decode()
    select = re.search(r'<select name="program".*?</select>', theirs_html, re.S)
    assert select and "selected" not in select.group(0)
    assert client_for(None).get(url, {"region": bandung.region.pk}).status_code == 302
    assert client_for(cast.assessor).get(url).status_code == 403

    # No JavaScript: the button re-renders the whole form for the region chosen, keeping
    # what was filled in, submitting nothing and judging nothing yet.
    response = client.post("/donations/pledges/new/", {
        "region": bandung.region.pk, "kind": "money", "amount_rupiah": "250000",
        "refresh": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert _options(page, "program")[str(own.pk)] == "Beasiswa Bandung"
    assert str(don.pangan.pk) not in _options(page, "program")
    assert 'value="250000"' in page and "errorlist" not in page
    assert not Pledge.objects.exists()
