"""A user of one organisation probes another organisation's records by id: pledges,
purchases, allocation runs and their lines, allocations, deliveries, handover reports,
misuse reports and recipients, through the pages and the API. Lists leave them out,
details are 403/404, changes are refused and the database is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.forms.models import model_to_dict

from ksbb.needs.models import Recipient


@dataclass(frozen=True)
class Probe:
    who: str  # a role of the cast
    record: str  # an attribute of the world (or the cast)
    api: str | None  # API resource, e.g. "pledges"
    page: str | None = None  # detail page, "{pk}" filled in
    api_change: tuple[str, dict[str, Any]] | None = None  # action, body
    page_change: tuple[str, dict[str, Any]] | None = None  # page path, form


PROBES = [
    # The cast's aggregator against the outsider's organisation, and back.
    Probe("aggregator", "other_pledge", "pledges", "/donations/pledges/{pk}/",
          ("receive", {"received_quantity": 70}),
          ("/donations/pledges/{pk}/receive/", {"received_quantity": 70})),
    Probe("outsider", "pledge", "pledges", "/donations/pledges/{pk}/",
          ("reject", {"reason": "bukan milik kami"}),
          ("/donations/pledges/{pk}/reject/", {"reason": "bukan milik kami"})),
    Probe("outsider", "received", "pledges", "/donations/pledges/{pk}/receipt.pdf"),
    Probe("aggregator", "other_purchase", "purchases", "/donations/purchases/{pk}/receipt/"),
    Probe("outsider", "purchase", "purchases", "/donations/purchases/{pk}/receipt/"),
    Probe("outsider", "allocation", "allocations"),
    Probe("aggregator", "other_allocation", "allocations"),
    Probe("outsider", "delivery", "deliveries", "/field/deliveries/{pk}/",
          ("cancel", {"reason": "salah kirim"}),
          ("/field/deliveries/{pk}/cancel/", {"reason": "salah kirim"})),
    Probe("aggregator", "other_delivery", "deliveries", "/field/deliveries/{pk}/",
          ("cancel", {"reason": "salah kirim"}),
          ("/field/deliveries/{pk}/cancel/", {"reason": "salah kirim"})),
    Probe("outsider", "draft", "handovers", "/field/handovers/{pk}/",
          ("confirm", {"role": "giver"}), ("/field/handovers/{pk}/confirm/", {"role": "giver"})),
    Probe("aggregator", "other_handover", "handovers", "/field/handovers/{pk}/",
          ("confirm", {"role": "giver"}), ("/field/handovers/{pk}/confirm/", {"role": "giver"})),
    # Another village's people: the kelurahan officer and ketua RW of village A.
    Probe("kelurahan", "other_delivery", "deliveries", "/field/deliveries/{pk}/",
          ("verify", {}), ("/field/deliveries/{pk}/verify/", {})),
    Probe("ketua_rw", "other_handover", "handovers", "/field/handovers/{pk}/",
          ("confirm", {"role": "receiver"}),
          ("/field/handovers/{pk}/confirm/", {"role": "receiver"})),
    Probe("kelurahan", "other_report", "reports", "/backoffice/reports/{pk}/",
          ("investigate", {"notes": "dicek"}),
          ("/backoffice/reports/{pk}/investigate/", {"notes": "dicek"})),
    Probe("ketua_rw", "other_recipient", None, "/field/recipients/{pk}/"),
    Probe("kelurahan", "other_recipient", None, "/field/recipients/{pk}/"),
    # Government data: no organisation outside the government reads runs or lines.
    Probe("aggregator", "run", "allocation_runs", "/backoffice/allocation_runs/{pk}/",
          ("approve", {}), ("/backoffice/allocation_runs/{pk}/approve/", {})),
    Probe("outsider", "run", "allocation_runs", "/backoffice/allocation_runs/{pk}/",
          ("discard", {}), ("/backoffice/allocation_runs/{pk}/discard/", {})),
    Probe("executor", "line", None, None, None,
          ("/backoffice/allocation_lines/{pk}/edit/", {"quantity": 1})),
    # An institution waiting for verification is the government's to see.
    Probe("collaborator", "institution", "recipients", None, ("verify", {}),
          ("/backoffice/institutions/{pk}/verify/", {})),
]

REFUSED = (403, 404)


def _record(cast: Any, world: Any, attr: str) -> Any:
    return getattr(world, attr, None) or getattr(cast, attr)


def _snapshot(obj: Any) -> dict[str, Any]:
    obj.refresh_from_db()
    return model_to_dict(obj)


def _ids(response: Any) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: f"{p.who}-{p.record}")
def test_cannot_read_or_change_another_organisations_record(
        probe: Probe, cast: Any, world: Any, client_for: Callable[[Any], Any]) -> None:
    obj = _record(cast, world, probe.record)
    before = _snapshot(obj)
    c = client_for(cast.users[probe.who])
    if probe.api:
        listing = c.get(f"/api/v1/{probe.api}/?limit=1000")
        assert listing.status_code in (200, *REFUSED)
        if listing.status_code == 200:
            assert obj.pk not in _ids(listing), f"{probe.api} lists {probe.record}"
        assert c.get(f"/api/v1/{probe.api}/{obj.pk}/").status_code in REFUSED
    if probe.api and probe.api_change:
        action, body = probe.api_change
        response = c.post(f"/api/v1/{probe.api}/{obj.pk}/{action}/", body,
                          content_type="application/json")
        assert response.status_code in REFUSED, response.content
    if probe.page:
        assert c.get(probe.page.format(pk=obj.pk)).status_code in REFUSED
    if probe.page_change:
        path, form = probe.page_change
        assert c.post(path.format(pk=obj.pk), form).status_code in REFUSED
    assert _snapshot(obj) == before


def test_the_owners_do_see_them(cast: Any, world: Any, client_for: Any) -> None:
    """The probes mean something: the same requests work for the records' own people."""
    assert client_for(cast.outsider).get(
        f"/api/v1/pledges/{world.other_pledge.pk}/").status_code == 200
    assert client_for(cast.aggregator).get(
        f"/api/v1/deliveries/{world.delivery.pk}/").status_code == 200
    assert world.draft.pk in _ids(client_for(cast.executor).get("/api/v1/handovers/"))
    assert client_for(cast.assessor).get(
        f"/backoffice/allocation_runs/{world.run.pk}/").status_code == 200
    listing = client_for(cast.assessor).get("/api/v1/recipients/?limit=1000")
    assert world.institution.pk in _ids(listing)
    assert Recipient.objects.filter(pk=world.institution.pk, is_verified=False).exists()


def test_evidence_files_and_pledge_pages_of_others(cast: Any, world: Any,
                                                   client_for: Any) -> None:
    """Issue 14: handover photos and paper scans are served by id only to whoever sees the
    report; another organisation's pledge page is 404, as in the API (403 told that the id
    exists)."""
    photo = world.handover_photo
    paths = [f"/field/handovers/{world.draft.pk}/photos/{photo.pk}/",
             f"/api/v1/handovers/{world.draft.pk}/photos/{photo.pk}/",
             f"/field/handovers/{world.draft.pk}/paper/file/",
             f"/api/v1/handovers/{world.draft.pk}/paper_scan/",
             # A photo asked for under another handover's id.
             f"/field/handovers/{world.other_handover.pk}/photos/{photo.pk}/",
             f"/api/v1/handovers/{world.other_handover.pk}/photos/{photo.pk}/"]
    for who in ("outsider", "collaborator"):
        c = client_for(cast.users[who])
        for path in paths:
            assert c.get(path).status_code in REFUSED, (who, path)
    executor = client_for(cast.executor)
    assert executor.get(paths[0]).status_code == 200
    assert executor.get(paths[4]).status_code == 404  # right user, wrong handover
    for who, pledge in (("outsider", world.pledge), ("aggregator", world.other_pledge)):
        assert client_for(cast.users[who]).get(
            f"/donations/pledges/{pledge.pk}/").status_code == 404
