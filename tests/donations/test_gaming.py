"""Figures that cannot be gamed (issue 13, observation 3): only received pledges count as
covered; submitted ones are "promised" only from collaborators with a confirmed e-mail and
only for a while; quantities and amounts have upper bounds (400 naming the field, never
500); an aggregator's import names only its own collaborators and never tells which
e-mail addresses exist."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from ksbb.core.domain import SystemActor
from ksbb.core.models import AuditEntry
from ksbb.donations.imports import pledges_import
from ksbb.donations.models import CollaboratorProfile, Pledge
from ksbb.needs.services import need_set
from ksbb.stats.needmap import need_map_recipients
from tests.conftest import VILLAGE_A
from tests.needs.conftest import food_round  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
RW = f"{VILLAGE_A}.001"


def _api(user: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _confirm(org: Any) -> None:
    CollaboratorProfile.objects.filter(organization=org).update(
        email_verified_at=timezone.now())


def _row(cast: Any) -> Any:
    return {r.code: r for r in need_map_recipients(item_code="sembako", village=VILLAGE_A)}[RW]


@pytest.fixture
def need(cast: Any, don: Any, food_round: Any) -> Any:  # noqa: F811
    return need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=1000,
                    priority=1, by=cast.assessor)


def _pledge(cast: Any, don: Any, quantity: Any, **extra: Any) -> Any:
    return _api(cast.collaborator).post("/api/v1/pledges/", {
        "aggregator": cast.aggregator_org.pk, "item": don.sembako.pk, "quantity": quantity,
        "recipient": cast.recipient.pk, **extra}, format="json")


@pytest.mark.parametrize("quantity", [1e15, 2**63, 2**64 + 1, 10**30])
def test_absurd_quantities_are_refused_naming_the_field(cast: Any, don: Any, need: Any,
                                                         quantity: Any) -> None:
    response = _pledge(cast, don, quantity)
    assert response.status_code == 400, response.content
    assert "quantity" in response.json()
    assert "at most" in str(response.json()["quantity"])
    assert not Pledge.objects.exists()


@pytest.mark.parametrize("amount", [1e15, 2**63, 10**30])
def test_absurd_amounts_are_refused_naming_the_field(cast: Any, don: Any, amount: Any) -> None:
    response = _api(cast.collaborator).post("/api/v1/pledges/", {
        "aggregator": cast.aggregator_org.pk, "program": don.pangan.pk,
        "amount_rupiah": amount}, format="json")
    assert response.status_code == 400, response.content
    assert "at most" in str(response.json()["amount_rupiah"])


def test_bounds_are_per_item_and_the_web_form_says_so(cast: Any, don: Any, client_for: Any
                                                      ) -> None:
    don.sembako.max_quantity = 500
    don.sembako.save()
    assert _pledge(cast, don, 501).status_code == 400
    assert _pledge(cast, don, 500).status_code == 201
    response = client_for(cast.collaborator).post("/donations/pledges/new/", {
        "collaborator": cast.collaborator_org.pk, "aggregator": cast.aggregator_org.pk,
        "kind": "goods", "item": don.sembako.pk, "quantity": str(2**63)})
    assert response.status_code == 400
    assert "at most 500" in response.content.decode()


def test_only_received_pledges_cover_and_promises_need_a_confirmed_email(
        cast: Any, don: Any, need: Any, settings: Any) -> None:
    """The self-registered donor who never confirmed the e-mail address pledged for the
    village; the need list showed it 100 % covered."""
    assert _pledge(cast, don, 900).status_code == 201
    row = _row(cast)
    assert (row.need, row.covered, row.promised, row.percent) == (1000, 0, 0, 0)
    _confirm(cast.collaborator_org)
    row = _row(cast)
    assert (row.covered, row.promised, row.percent) == (0, 900, 0)
    # A promise expires: after KSBB_PLEDGE_PROMISE_DAYS it no longer shows...
    settings.KSBB_PLEDGE_PROMISE_DAYS = 3
    Pledge.objects.update(created_at=timezone.now() - dt.timedelta(days=4))
    assert _row(cast).promised == 0
    # ...and the expiry sweep cancels it, on the record.
    from ksbb.donations.services import pledges_expire

    assert pledges_expire(by=SystemActor("expiry")) == 1
    pledge = Pledge.objects.get()
    assert pledge.state == Pledge.State.CANCELLED
    entry = AuditEntry.objects.get(action="pledge.expired")
    assert entry.before == {"state": "submitted"} and entry.after["state"] == "cancelled"
    assert pledges_expire(by=SystemActor("expiry")) == 0


HEADER = "collaborator_id,collaborator_email,item,quantity,received"


def _import(cast: Any, *lines: str) -> Any:
    data = io.BytesIO("\n".join([HEADER, *lines]).encode())
    return pledges_import(aggregator=cast.aggregator_org, source=data, filename="p.csv",
                          by=cast.aggregator)


def test_import_names_only_linked_collaborators(cast: Any, don: Any) -> None:
    """An aggregator's staff imported 1,000,000 packages for another organisation's donor."""
    report = _import(cast, f"{cast.collaborator_org.pk},,sembako,1000,1000")
    assert not report.ok and not Pledge.objects.exists()
    assert [(e.field, e.row) for e in report.errors] == [("collaborator_id", 2)]


def test_import_errors_do_not_tell_which_emails_exist(cast: Any, don: Any) -> None:
    known = _import(cast, ",csr@sembako.example,sembako,10,")
    unknown = _import(cast, ",nobody@example.org,sembako,10,")
    assert not known.ok and not unknown.ok

    def text(report: Any, email: str) -> list[str]:
        return [str(e).replace(email, "EMAIL") for e in report.errors]

    assert text(known, "csr@sembako.example") == text(unknown, "nobody@example.org")
    assert not Pledge.objects.exists()


def test_invited_collaborator_confirms_before_the_import_counts(
        cast: Any, don: Any, client_for: Any, django_capture_on_commit_callbacks: Any) -> None:
    from ksbb.donations.models import CollaboratorLink

    with_email = f",{'csr@sembako.example'},sembako,10,10"
    with django_capture_on_commit_callbacks(execute=True):
        assert not _import(cast, with_email).ok
    link = CollaboratorLink.objects.get()
    assert link.email == "csr@sembako.example" and link.accepted_at is None
    assert len(mail.outbox) == 1 and "csr@sembako.example" in mail.outbox[0].to
    with django_capture_on_commit_callbacks(execute=True):
        assert not _import(cast, with_email).ok
    assert len(mail.outbox) == 1  # one invitation, not one per attempt
    link_url = next(w for w in mail.outbox[0].body.split() if "/donations/links/" in w)
    path = link_url[link_url.index("/donations/"):]
    # Only the invited collaborator accepts.
    assert client_for(cast.outsider).post(path).status_code in (403, 404)
    response = client_for(cast.collaborator).post(path)
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.accepted_at is not None and link.collaborator == cast.collaborator_org
    assert AuditEntry.objects.filter(action="collaborator_link.accepted").exists()
    report = _import(cast, with_email, f"{cast.collaborator_org.pk},,sembako,5,")
    assert report.ok and report.created == 2
    # The other aggregator is still not linked.
    data = io.BytesIO(f"{HEADER}\n{cast.collaborator_org.pk},,sembako,5,".encode())
    other = pledges_import(aggregator=cast.outsider_org, source=data, filename="p.csv",
                           by=cast.outsider)
    assert not other.ok


def test_a_donor_who_pledged_through_an_aggregator_is_linked(cast: Any, don: Any) -> None:
    assert _pledge(cast, don, 10).status_code == 201
    assert _import(cast, f"{cast.collaborator_org.pk},,sembako,5,").ok


def test_expire_pledges_command(cast: Any, don: Any) -> None:
    from django.core.management import call_command

    assert _pledge(cast, don, 10).status_code == 201
    Pledge.objects.update(created_at=timezone.now() - dt.timedelta(days=15))
    out = io.StringIO()
    call_command("expire_pledges", stdout=out)
    assert out.getvalue().startswith("1 pledges")
    assert Pledge.objects.get().state == Pledge.State.CANCELLED


@pytest.mark.parametrize("quantity", [str(2**63), "1e15", "1000000000000000", str(10**30)])
def test_import_refuses_absurd_quantities_by_row(cast: Any, don: Any, quantity: str) -> None:
    from ksbb.donations.models import CollaboratorLink

    CollaboratorLink.objects.create(aggregator=cast.aggregator_org, email="csr@sembako.example",
                                    collaborator=cast.collaborator_org,
                                    accepted_at=timezone.now())
    report = _import(cast, f"{cast.collaborator_org.pk},,sembako,{quantity},")
    assert not report.ok and not Pledge.objects.exists()
    assert {e.field for e in report.errors} == {"quantity"}
