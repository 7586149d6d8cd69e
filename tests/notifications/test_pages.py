"""The inbox, the bell, marking read and the e-mail choices, on pages and in the API: each
person sees and changes only their own notifications (another's is a 404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ksbb.core.domain import SystemActor
from ksbb.notifications.models import Kind, Notification, NotificationSettings
from ksbb.notifications.services import notify


def _tell(user: Any, kind: str = Kind.PLEDGE_RECEIVED, **context: Any) -> Notification:
    (n,) = notify(kind=kind, recipients=[user], by=SystemActor("test"),
                  context={"aggregator": "BAZNAS DKI", "what": "10 × Beras", "pledge": 1,
                           **context},
                  link=reverse("donations:mine"))
    return n


@pytest.fixture
def told(cast) -> dict[str, Notification]:  # type: ignore[no-untyped-def]
    return {"mine": _tell(cast.collaborator), "theirs": _tell(cast.aggregator),
            "second": _tell(cast.collaborator, kind=Kind.PLEDGE_ALLOCATED)}


def test_bell_counts_unread(cast, told, client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for(cast.collaborator).get(reverse("web:ideas")).content.decode()
    assert 'id="bell"' in page and "2 unread" in page
    assert reverse("notifications:inbox") in page
    anonymous = client_for(None).get(reverse("web:ideas")).content.decode()
    assert 'id="bell"' not in anonymous


def test_inbox_lists_only_own_in_the_readers_language(cast, told, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(cast.collaborator)
    page = c.get(reverse("notifications:inbox")).content.decode()
    assert "Your pledge was received by BAZNAS DKI" in page
    assert "Your donation was allocated" in page
    assert f"/notifications/{told['theirs'].pk}/" not in page
    c.cookies["django_language"] = "id"
    page = c.get(reverse("notifications:inbox")).content.decode()
    assert "Donasi Anda telah diterima oleh BAZNAS DKI" in page


def test_open_marks_read_and_goes_to_the_page(cast, told, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(cast.collaborator)
    response = c.get(reverse("notifications:open", args=[told["mine"].pk]))
    assert response.status_code == 302 and response["Location"] == reverse("donations:mine")
    told["mine"].refresh_from_db()
    assert told["mine"].read_at is not None


def test_mark_read_plain_and_htmx(cast, told, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(cast.collaborator)
    response = c.post(reverse("notifications:read", args=[told["mine"].pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:inbox")
    response = c.post(reverse("notifications:read", args=[told["second"].pk]),
                      HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and f'id="n-{told["second"].pk}"' in body
    assert 'hx-swap-oob="true"' in body and "unread" not in body.split('id="bell"')[1]
    assert not Notification.objects.filter(recipient=cast.collaborator,
                                           read_at__isnull=True).exists()


def test_mark_all_read_only_touches_own(cast, told, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(cast.collaborator).post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=cast.collaborator,
                                           read_at__isnull=True).exists()
    told["theirs"].refresh_from_db()
    assert told["theirs"].read_at is None


@pytest.mark.parametrize("name", ["notifications:open", "notifications:read"])
def test_anothers_notification_is_not_found(cast, told, client_for, name: str) -> None:  # type: ignore[no-untyped-def]
    c = client_for(cast.collaborator)
    url = reverse(name, args=[told["theirs"].pk])
    response = c.post(url) if name.endswith("read") else c.get(url)
    assert response.status_code == 404
    told["theirs"].refresh_from_db()
    assert told["theirs"].read_at is None


def test_preferences_turn_email_off_per_kind(cast, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(cast.collaborator)
    page = c.get(reverse("notifications:preferences")).content.decode()
    assert "Your pledge was received" in page and 'name="email_pledge_received"' in page
    data = {"language": "en"} | {f"email_{k}": "on" for k in Kind.values
                                 if k != Kind.PLEDGE_RECEIVED}
    response = c.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    chosen = NotificationSettings.objects.get(user=cast.collaborator)
    assert chosen.email_off == [Kind.PLEDGE_RECEIVED] and chosen.language == "en"
    page = c.get(reverse("notifications:preferences")).content.decode()
    assert 'name="email_pledge_received" id="id_email_pledge_received"' in page
    assert 'name="email_pledge_received" id="id_email_pledge_received" checked' not in page
    assert c.post(reverse("notifications:preferences"), {"language": "xx"}).status_code == 400


# API.

def test_api_lists_only_own(cast, told, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(cast.collaborator)
    data = c.get("/api/v1/notifications/").json()
    ids = {row["id"] for row in data["results"]}
    assert ids == {told["mine"].pk, told["second"].pk}
    row = next(r for r in data["results"] if r["id"] == told["mine"].pk)
    assert row["subject"] == "Your pledge was received by BAZNAS DKI"
    assert row["link"].startswith("http") and row["is_read"] is False
    assert c.get(f"/api/v1/notifications/{told['theirs'].pk}/").status_code == 404
    unread = c.get("/api/v1/notifications/?unread=true").json()
    assert len(unread["results"]) == 2


def test_api_mark_read(cast, told, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(cast.collaborator)
    response = c.post(f"/api/v1/notifications/{told['mine'].pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert c.post(f"/api/v1/notifications/{told['theirs'].pk}/read/").status_code == 404
    assert c.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    told["theirs"].refresh_from_db()
    assert told["theirs"].read_at is None
    assert client_for(None).get("/api/v1/notifications/").status_code == 403


def test_api_is_documented(db, client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get(reverse("schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/notifications/" in paths
    assert "/api/v1/notifications/{id}/read/" in paths
    assert "/api/v1/notifications/read-all/" in paths
