"""Government roles act only inside their region (issue 18): Bandung's administrator,
assessor and kelurahan officer cannot see or touch Jakarta's rounds, needs, institutions,
allocation runs and lines, allocations, deliveries, BASTs, misuse reports, pledges,
purchases or ideas, and Jakarta's cannot see Bandung's: lists leave them out, details are
404 (pages and API), changes are refused and change nothing. Donors give to both regions;
an aggregator serving Bandung only sees Bandung's pledges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, reverse

from ksbb.allocation.services import run_start
from ksbb.areas.models import Area
from ksbb.core.domain import Invalid, NotAllowed
from ksbb.donations.services import pledge_submit
from ksbb.forum.services import idea_answer
from ksbb.needs.services import institution_verify, need_set, round_close, round_open
from tests.conftest import VILLAGE_A, VILLAGE_BANDUNG
from tests.security.matrix import MATRIX, PARAMS
from tests.security.test_permission_matrix import all_patterns, is_admin, takes_params

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Kind:
    record: str  # an attribute of both worlds
    api: str | None  # API resource: listed by no one outside, detail 404
    page: str | None = None  # detail page
    api_change: tuple[str, dict[str, Any]] | None = None
    page_change: tuple[str, dict[str, Any]] | None = None
    listed_publicly: bool = False  # ideas are public: only the answer is refused


KINDS = [
    Kind("round", "rounds", "/backoffice/rounds/{pk}/", ("close", {}),
         ("/backoffice/rounds/{pk}/close/", {})),
    Kind("need", "needs"),
    Kind("run", "allocation_runs", "/backoffice/allocation_runs/{pk}/", ("approve", {}),
         ("/backoffice/allocation_runs/{pk}/approve/", {})),
    Kind("line", None, None, None, ("/backoffice/allocation_lines/{pk}/edit/", {"quantity": 1})),
    Kind("allocation", "allocations"),
    Kind("delivery", "deliveries", "/field/deliveries/{pk}/", ("cancel", {"reason": "salah"}),
         ("/field/deliveries/{pk}/cancel/", {"reason": "salah"})),
    Kind("draft", "handovers", "/field/handovers/{pk}/", ("accept_paper", {}),
         ("/field/handovers/{pk}/accept-paper/", {})),
    Kind("report", "reports", "/backoffice/reports/{pk}/", ("investigate", {"notes": "dicek"}),
         ("/backoffice/reports/{pk}/investigate/", {"notes": "dicek"})),
    Kind("institution", "recipients", None, ("verify", {}),
         ("/backoffice/institutions/{pk}/verify/", {})),
    Kind("received", "pledges", "/donations/pledges/{pk}/"),
    Kind("purchase", "purchases"),
    Kind("idea", "ideas", None, ("answer", {"status": "under_review", "answer": "Dikaji."}),
         ("/ideas/{pk}/answer/", {"status": "under_review", "answer": "Dikaji."}),
         listed_publicly=True),
]
REFUSED = (403, 404)


def _ids(response: Any) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


def _snapshot(obj: Any) -> dict[str, Any]:
    obj.refresh_from_db()
    return model_to_dict(obj)


# Two regions x each government role of each: the probing user and the other region's world.
CASES = [(side, role) for side in ("bandung", "jakarta") for role in ("admin", "assessor",
                                                                         "kelurahan")]


@pytest.mark.parametrize(("side", "role"), CASES, ids=[f"{s}-{r}" for s, r in CASES])
def test_government_sees_and_touches_nothing_of_another_region(
        side: str, role: str, cast: Any, bandung: Any, two_worlds: Any,
        client_for: Any) -> None:
    jakarta_world, bandung_world = two_worlds
    user = (bandung if side == "bandung" else cast).users[role]
    theirs = jakarta_world if side == "bandung" else bandung_world
    c = client_for(user)
    government = role in ("admin", "assessor")
    for kind in KINDS:
        obj = getattr(theirs, kind.record)
        before = _snapshot(obj)
        where = f"{side} {role} on {kind.record}"
        if kind.api and not kind.listed_publicly:
            listing = c.get(f"/api/v1/{kind.api}/?limit=1000")
            assert listing.status_code in (200, *REFUSED), where
            if listing.status_code == 200:
                assert obj.pk not in _ids(listing), f"{where}: listed"
            status = c.get(f"/api/v1/{kind.api}/{obj.pk}/").status_code
            assert status == 404 if government else status in REFUSED, f"{where}: {status}"
        if kind.api and kind.api_change:
            action, body = kind.api_change
            status = c.post(f"/api/v1/{kind.api}/{obj.pk}/{action}/", body,
                            content_type="application/json").status_code
            assert status in REFUSED, f"{where}: API {action} {status}"
        if kind.page:
            status = c.get(kind.page.format(pk=obj.pk)).status_code
            assert status == 404 if government else status in REFUSED, f"{where}: {status}"
        if kind.page_change:
            path, form = kind.page_change
            status = c.post(path.format(pk=obj.pk), form).status_code
            assert status in REFUSED, f"{where}: POST {path} {status}"
        assert _snapshot(obj) == before, f"{where}: changed"
    if government:
        # Their own lists (pages) leave the other region out too.
        body = c.get("/backoffice/rounds/").content.decode()
        assert theirs.round.name not in body
        body = c.get("/backoffice/institutions/").content.decode()
        assert theirs.institution.name not in body


@pytest.mark.parametrize("side", ["bandung", "jakarta"])
def test_each_regions_own_people_do_see_their_records(
        side: str, cast: Any, bandung: Any, two_worlds: Any, client_for: Any) -> None:
    """The probes mean something: the same requests work inside the region."""
    jakarta_world, bandung_world = two_worlds
    people = bandung if side == "bandung" else cast
    mine = bandung_world if side == "bandung" else jakarta_world
    assessor = client_for(people.assessor)
    for kind in KINDS:
        if kind.api:
            assert assessor.get(f"/api/v1/{kind.api}/{getattr(mine, kind.record).pk}/") \
                .status_code == 200, kind.record
        if kind.page:
            assert assessor.get(kind.page.format(pk=getattr(mine, kind.record).pk)) \
                .status_code == 200, kind.record
    assert mine.round.name in assessor.get("/backoffice/rounds/").content.decode()
    admin = client_for(people.admin)
    assert admin.get(f"/backoffice/reports/{mine.report.pk}/").status_code == 200
    kelurahan = client_for(people.kelurahan)
    assert kelurahan.get(f"/field/deliveries/{mine.delivery.pk}/").status_code == 200
    assert kelurahan.get(f"/backoffice/reports/{mine.report.pk}/").status_code == 200


def test_services_refuse_another_regions_records(cast: Any, bandung: Any,
                                                 two_worlds: Any) -> None:
    jakarta_world, bandung_world = two_worlds
    with pytest.raises(NotAllowed):
        need_set(round=jakarta_world.round, recipient=cast.recipient,
                 item=jakarta_world.don.sembako, quantity=1, priority=1, by=bandung.assessor)
    with pytest.raises(NotAllowed):
        run_start(round=jakarta_world.round, by=bandung.assessor)
    with pytest.raises(NotAllowed):
        round_close(round=bandung_world.round, by=cast.assessor)
    with pytest.raises(NotAllowed):
        institution_verify(recipient=bandung_world.institution, by=cast.assessor)
    with pytest.raises(NotAllowed):
        idea_answer(idea=bandung_world.idea, status="under_review", answer="x", by=cast.admin)
    # A round takes the needs of its own region's recipients only.
    with pytest.raises(Invalid):
        need_set(round=bandung_world.round, recipient=cast.recipient,
                 item=jakarta_world.don.sembako, quantity=1, priority=1, by=bandung.assessor)
    # A round opened by Bandung's assessor is Bandung's.
    rnd = round_open(name="Juli", program=jakarta_world.don.pangan,
                     period_start=jakarta_world.round.period_start,
                     period_end=jakarta_world.round.period_end, by=bandung.assessor)
    assert rnd.region == bandung.region
    with pytest.raises(NotAllowed):
        round_open(name="Juli", program=jakarta_world.don.pangan,
                   period_start=rnd.period_start, period_end=rnd.period_end,
                   region=bandung.region, by=cast.assessor)


def test_donors_give_to_both_regions_and_runs_use_their_regions_pledges(
        cast: Any, bandung: Any, two_worlds: Any, client_for: Any) -> None:
    jakarta_world, bandung_world = two_worlds
    assert bandung_world.pledge.region == bandung.region
    assert bandung_world.received.region == bandung.region  # from the preferred village
    assert jakarta_world.pledge.region.is_default
    mine = _ids(client_for(cast.collaborator).get("/api/v1/pledges/?limit=1000"))
    assert {jakarta_world.received.pk, bandung_world.received.pk} <= mine
    # Each region's run offers only the pledges (and purchases) given to it.
    for run, region in ((jakarta_world.run, None), (bandung_world.run, bandung.region)):
        for line in run.lines.all():
            supply = line.pledge or line.purchase.fundings.get().pledge
            assert (supply.region if region else supply.region.is_default) in (region, True)
    assert bandung_world.run.lines.filter(pledge=bandung_world.received).exists()
    assert not jakarta_world.run.lines.filter(pledge__region=bandung.region).exists()


def test_an_aggregator_serving_one_region_sees_and_takes_only_its_pledges(
        cast: Any, bandung: Any, two_worlds: Any, client_for: Any) -> None:
    jakarta_world, bandung_world = two_worlds
    theirs = _ids(client_for(bandung_world.aggregator).get("/api/v1/pledges/?limit=1000"))
    assert bandung_world.received.pk in theirs and jakarta_world.received.pk not in theirs
    ours = _ids(client_for(cast.aggregator).get("/api/v1/pledges/?limit=1000"))
    assert jakarta_world.received.pk in ours and bandung_world.received.pk not in ours
    inbox = client_for(bandung_world.aggregator).get("/donations/inbox/").content.decode()
    assert f"#{bandung_world.pledge.pk}" in inbox or "Paket sembako" in inbox
    # A pledge for a Jakarta village cannot go through Bandung's aggregator, and a pledge
    # restricted to a Bandung village not through Jakarta's.
    with pytest.raises(Invalid):
        pledge_submit(collaborator=cast.collaborator_org, aggregator=bandung_world.aggregator_org,
                      item=jakarta_world.don.sembako, quantity=5,
                      preferred_area=Area.objects.get(code=VILLAGE_A), by=cast.collaborator)
    with pytest.raises(Invalid):
        pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                      item=jakarta_world.don.sembako, quantity=5,
                      preferred_area=Area.objects.get(code=VILLAGE_BANDUNG),
                      by=cast.collaborator)


# The sweep: every page and API list taking no parameters, read by each government role of
# each region, shows nothing of the other region's records that is not public (round and
# institution names, misuse reports' tracking codes and words, unsigned BASTs, purchases).

def _markers(world: Any, people: Any, *, jakarta: bool) -> dict[str, str]:
    found = {
        # The cast's kelurahan office (Jakarta's) is not one of the cast's fields.
        "kelurahan office": "Kelurahan Gambir" if jakarta else people.kelurahan_office.name,
        "round": world.round.name,
        "institution": world.institution.name,
        "report code": world.report.code,
        "report words": world.report.description,
        "draft BAST": world.draft.number,
        "purchase supplier": world.purchase.supplier,
    }
    if jakarta:
        found["other report code"] = world.other_report.code
        found["other draft BAST"] = world.other_handover.number
    return found


def _list_paths() -> list[str]:
    paths = set()
    for p in all_patterns():
        if (p.name is None or is_admin(p) or takes_params(p) or ".json" in p.route
                or p.name in ("logout", "accounts:logout") or p.name.startswith("proofs")):
            continue
        try:
            path = reverse(p.name)
        except NoReverseMatch:  # a pattern reversed only with arguments
            continue
        paths.add(path + ("?limit=1000" if path.startswith("/api/") else ""))
    # The pickers' suggestions, with typed text: institutions by name (unverified ones are
    # the government's, of its region), places (public).
    paths |= {reverse("web:recipient_search") + "?q=Panti",
              reverse("web:area_search") + "?q=Gambir", reverse("web:area_search") + "?q=Suka"}
    return sorted(paths)


def test_no_list_page_or_endpoint_shows_another_regions_records(
        cast: Any, bandung: Any, two_worlds: Any, client_for: Any) -> None:
    jakarta_world, bandung_world = two_worlds
    paths = _list_paths()
    assert len(paths) > 50
    leaks: list[str] = []
    markers = {"jakarta": _markers(jakarta_world, cast, jakarta=True),
               "bandung": _markers(bandung_world, bandung, jakarta=False)}
    seen: dict[str, set[str]] = {"jakarta": set(), "bandung": set()}
    for side, role in CASES:
        user = (bandung if side == "bandung" else cast).users[role]
        theirs = markers["jakarta" if side == "bandung" else "bandung"]
        c = client_for(user)
        c.raise_request_exception = False
        for path in paths:
            if path == "/backoffice/" and user.is_superuser:
                # The installation's administrator reads the whole audit log (as in the
                # admin site); a region's administrator only their region's people's.
                continue
            response = c.get(path)
            if response.status_code >= 500:
                leaks.append(f"{side} {role} {path}: {response.status_code}")
            if response.status_code != 200 or getattr(response, "streaming", False):
                continue
            body = response.content.decode(errors="replace")
            leaks += [f"{side} {role} {path}: {what}" for what, text in theirs.items()
                      if text and text in body]
            seen[side] |= {what for what, text in markers[side].items() if text in body}
    assert not leaks, "\n".join(leaks)
    # The probes mean something: each region's people find each of their own markers.
    for side in ("jakarta", "bandung"):
        assert seen[side] == set(markers[side]), (side, set(markers[side]) - seen[side])


def test_no_page_or_endpoint_opens_another_regions_record(
        cast: Any, bandung: Any, two_worlds: Any, client_for: Any) -> None:
    """Every URL taking an object (the permission matrix's parameters, filled from
    Jakarta's world) that is not public: Bandung's government people get 403 or 404 where
    Jakarta's own assessor gets the page (evidence files, BAST PDFs, imports, coverage,
    progress fragments ...)."""
    jakarta_world, _bandung_world = two_worlds
    jakarta_assessor = client_for(cast.assessor)
    opened: list[str] = []
    checked = 0
    for name, kwargs in sorted(PARAMS.items()):
        entry = MATRIX.get(name)
        if entry is None or entry.get is None or entry.get.get("anonymous") == 200:
            continue  # public, or not read with GET
        path = reverse(name, kwargs=kwargs(cast, jakarta_world))
        if jakarta_assessor.get(path).status_code != 200 and entry.get.get("admin") != 200 \
                and entry.get.get("kelurahan") != 200:
            continue  # not a page Jakarta's government reads either
        checked += 1
        for role in ("admin", "assessor", "kelurahan"):
            c = client_for(bandung.users[role])
            c.raise_request_exception = False
            status = c.get(path).status_code
            if status not in (403, 404):
                opened.append(f"bandung {role} {name} {path}: {status}")
    assert checked > 20
    assert not opened, "\n".join(opened)


def test_a_rounds_page_offers_only_its_regions_supplies_and_recipients(
        cast: Any, bandung: Any, two_worlds: Any, client_for: Any) -> None:
    """The manual allocation form lists the pledges and purchases left to allocate: those
    given to the round's region only; its recipient field knows no institution of
    another region (an id typed in is "not known", not "of another region")."""
    jakarta_world, bandung_world = two_worlds
    for people, mine, theirs in ((bandung, bandung_world, jakarta_world),
                                 (cast, jakarta_world, bandung_world)):
        c = client_for(people.assessor)
        page = c.get(f"/backoffice/rounds/{mine.round.pk}/").content.decode()
        assert f'value="P-{mine.received.pk}"' in page
        assert f'value="P-{theirs.received.pk}"' not in page
        assert f'value="B-{theirs.purchase.pk}"' not in page
        response = c.post(f"/backoffice/rounds/{mine.round.pk}/needs/", {
            "recipient": f"I-{theirs.institution.pk}", "item": "sembako", "quantity": 1,
            "priority": 1})
        assert response.status_code == 400
        assert f"no institution is known as I-{theirs.institution.pk}" in \
            response.content.decode()
