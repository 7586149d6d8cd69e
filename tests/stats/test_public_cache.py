"""Issue 13, observation 6: public pages were slow (the dashboard at 0.03-0.06x the
requests per second of /healthz/ping). Anonymous pages and the public API now come from a
cache keyed by the statistics generation and the language: a hit touches no database; a
change shows at once; a rebuild of the rollups never runs inside a request."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ksbb.stats import rollups
from ksbb.stats.pagecache import forget_generation
from tests.stats.test_rollups import _run, _world

pytestmark = pytest.mark.django_db
PAGES = ["/", "/api/v1/stats/dashboard/", "/donations/needs/", "/coverage/"]


def _queries(client, path, **headers):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    assert response.status_code == 200, path
    return response, len(queries)


@pytest.mark.parametrize("path", PAGES)
def test_a_second_anonymous_request_touches_no_database(cast, client, path):  # type: ignore[no-untyped-def]
    world = _world(cast)
    _run(("goods", 0, 0, 40, 4, 1, 3), cast, world)
    first, _n = _queries(client, path)
    forget_generation()  # as after GENERATION_SECONDS: one query for the number
    second, n = _queries(client, path)
    assert n == 1 and second.content == first.content
    third, n = _queries(client, path)
    assert n == 0 and third.content == first.content


def test_a_change_shows_at_once_per_language(cast, client):  # type: ignore[no-untyped-def]
    world = _world(cast)
    _run(("money", 0, 0, 1_000, 0, 0), cast, world)
    before = client.get("/api/v1/stats/dashboard/").json()["total_collected"]
    english = Client(HTTP_COOKIE="django_language=en").get("/").content.decode()
    indonesian = Client().get("/").content.decode()
    assert "Where aid went" in english and "Where aid went" not in indonesian
    _run(("money", 0, 0, 2_000, 0, 0), cast, world)  # a pledge received: the figures change
    assert client.get("/api/v1/stats/dashboard/").json()["total_collected"] == before + 2_000
    assert "Rp 3.000" in client.get("/").content.decode()


def test_signed_in_pages_are_not_taken_from_the_cache(cast, client_for):  # type: ignore[no-untyped-def]
    anonymous = client_for(None).get("/").content.decode()
    signed_in = client_for(cast.collaborator).get("/").content.decode()
    assert 'action="/accounts/logout/"' in signed_in
    assert 'action="/accounts/logout/"' not in anonymous
    assert "csrfmiddlewaretoken" not in anonymous  # nothing personal in a cached page


def test_a_request_never_rebuilds_the_rollups(cast, client):  # type: ignore[no-untyped-def]
    from ksbb.donations.models import Pledge

    world = _world(cast)
    _run(("money", 0, 0, 1_000, 0, 0), cast, world)
    assert client.get("/api/v1/stats/dashboard/").json()["total_collected"] == 1_000
    Pledge.objects.filter(received_amount=1_000).update(amount_rupiah=5_000,
                                                        received_amount=5_000)
    rollups.bump(stale=True)  # a change around the services (admin, shell, bulk load)
    with mock.patch.object(rollups, "rebuild", side_effect=AssertionError("in a request")), \
            mock.patch("ksbb.stats.tasks.rollups_rebuild_task") as task:
        for path in PAGES:
            assert client.get(path).status_code == 200
        # The previous figures, while the task worker rebuilds; queued once.
        assert client.get("/api/v1/stats/dashboard/").json()["total_collected"] == 1_000
    assert task.enqueue.call_count == 1
    rollups.rebuild_stale_and_bump()  # what the task does
    assert client.get("/api/v1/stats/dashboard/").json()["total_collected"] == 5_000


def test_a_verification_page_is_cached_until_a_correction_supersedes_it(cast, client):  # type: ignore[no-untyped-def]
    from ksbb.distribution.models import Handover

    world = _world(cast)
    _run(("deliver", 0, 0, 20, 4, 2), cast, world)
    old = Handover.objects.get(state=Handover.State.SIGNED)
    first, _n = _queries(client, f"/verify/{old.code}/")
    _again, n = _queries(client, f"/verify/{old.code}/")
    assert n == 0
    _run(("correct", 0, 1, 1), cast, world)  # a signed correction
    page = client.get(f"/verify/{old.code}/").content.decode()
    new = Handover.objects.get(supersedes=old)
    assert page != first.content.decode() and new.number in page
