"""Issue 14, findings 8, 11 and 12 for the API: page size, numbers, nesting, caching,
tokens after a password change."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.distribution.conftest import make_allocation
from tests.donations.conftest import setup_donations
from tests.needs.conftest import food_round  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_page_holds_at_most_the_maximum(cast, settings):
    """Finding 8: ?limit=100000 returned every row in one page."""
    settings.KSBB_API_MAX_PAGE_SIZE = 2
    body = api().get("/api/v1/recipients/?limit=100000").json()
    assert body["count"] > 2 and len(body["results"]) == 2
    assert settings.KSBB_API_MAX_PAGE_SIZE >= 1


def test_the_default_maximum_is_a_thousand():
    from django.conf import settings

    assert settings.KSBB_API_MAX_PAGE_SIZE == 1000


HUGE = 2**63


@pytest.mark.parametrize("field", ["quantity", "priority"])
def test_a_huge_number_is_a_400_naming_the_field(cast, food_round, field):  # noqa: F811
    """Finding 11: quantities of 2^63 or more gave 500."""
    body = {"round": food_round.pk, "recipient": cast.recipient.pk, "item": "sembako",
            "quantity": 5, "priority": 1, field: HUGE}
    response = api(cast.assessor).post("/api/v1/needs/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_huge_ids_and_quantities_in_a_delivery_and_handover_are_400(cast):
    allocation = make_allocation(cast, setup_donations(cast))
    response = api(cast.aggregator).post("/api/v1/deliveries/", {
        "allocations": [HUGE], "executor": cast.executor_org.pk,
        "scheduled_for": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 400 and "allocations" in response.json()
    response = api(cast.aggregator).post("/api/v1/deliveries/", {
        "allocations": [allocation.pk], "executor": cast.executor_org.pk,
        "scheduled_for": timezone.localdate().isoformat()}, format="json")
    delivery = response.json()["id"]
    executor = api(cast.executor)
    executor.post(f"/api/v1/deliveries/{delivery}/dispatch/")
    executor.post(f"/api/v1/deliveries/{delivery}/deliver/")
    response = executor.post("/api/v1/handovers/", {
        "delivery": delivery, "date": timezone.localdate().isoformat(),
        "address": "Balai", "lines": [{"delivery_line": HUGE, "quantity": HUGE}]},
        format="json")
    assert response.status_code == 400, response.content


def test_deep_json_is_a_400(cast):
    """Finding 11: JSON nested 100,000 deep gave 500."""
    client = api(cast.collaborator)
    for depth in (100_000, 33):
        body = "[" * depth + "]" * depth
        response = client.post("/api/v1/ideas/", body, content_type="application/json")
        assert response.status_code == 400, depth
        assert "nested" in response.json()["detail"]
    # Ordinary bodies still parse.
    response = client.post("/api/v1/ideas/", {"title": "t", "body": "b"}, format="json")
    assert response.status_code == 201


def test_signed_in_answers_are_not_stored(cast, client_for, client):
    """Finding 12: pages with personal data had no Cache-Control: no-store."""
    signed_in = client_for(cast.collaborator)
    for path in ("/donations/mine/", "/accounts/two-factor/", "/"):
        assert "no-store" in signed_in.get(path)["Cache-Control"], path
    token = Token.objects.create(user=cast.collaborator)
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert "no-store" in by_token.get("/api/v1/pledges/")["Cache-Control"]
    # Anonymous public pages stay cacheable as before.
    assert "no-store" not in client.get("/ideas/").get("Cache-Control", "")


def test_a_password_change_revokes_api_tokens(cast):
    """Finding 12: API tokens survived a password change."""
    from ksbb.accounts.services import user_password_change

    token = Token.objects.create(user=cast.collaborator)
    user_password_change(user=cast.collaborator, password="another-long-passphrase-7",
                         by=cast.collaborator)
    assert not Token.objects.filter(pk=token.pk).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/pledges/").status_code in (401, 403)


def test_another_organisations_pledge_page_is_404_like_the_api(cast, client_for):
    from ksbb.donations.services import pledge_submit

    don = setup_donations(cast)
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           item=don.sembako, quantity=5, by=cast.collaborator)
    assert client_for(cast.outsider).get(f"/donations/pledges/{pledge.pk}/").status_code == 404
    assert api(cast.outsider).get(f"/api/v1/pledges/{pledge.pk}/").status_code == 404
    assert client_for(cast.collaborator).get(
        f"/donations/pledges/{pledge.pk}/").status_code == 200
