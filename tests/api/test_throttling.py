"""API rate limits: per client address for anonymous callers, per account otherwise."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ksbb.core import env


@pytest.fixture
def limits(settings):  # type: ignore[no-untyped-def]
    settings.KSBB_API_THROTTLE_RATES = {"anon": "3/min", "user": "5/min"}
    cache.clear()
    yield
    cache.clear()


def test_anonymous_callers_are_limited_per_address(client, db, limits):  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert client.get("/api/v1/areas/", REMOTE_ADDR="203.0.113.9").status_code == 200
    refused = client.get("/api/v1/areas/", REMOTE_ADDR="203.0.113.9",
                         HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert refused.json()["detail"].startswith("Too many requests; try again in ")
    # Another address has its own allowance.
    assert client.get("/api/v1/areas/", REMOTE_ADDR="203.0.113.10").status_code == 200


def test_a_forged_forwarded_header_does_not_reset_the_count(client, db, limits):  # type: ignore[no-untyped-def]
    for n in range(3):
        client.get("/api/v1/areas/", REMOTE_ADDR="203.0.113.9",
                   HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert client.get("/api/v1/areas/", REMOTE_ADDR="203.0.113.9",
                      HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_signed_in_callers_have_their_own_allowance(cast, client_for, limits):  # type: ignore[no-untyped-def]
    api = client_for(cast.assessor)
    codes = [api.get("/api/v1/areas/", REMOTE_ADDR="203.0.113.9").status_code
             for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_message_is_indonesian_by_default(client, db, limits):  # type: ignore[no-untyped-def]
    client.cookies.clear()
    for _ in range(3):
        client.get("/api/v1/areas/")
    assert "Terlalu banyak" in client.get("/api/v1/areas/").json()["detail"]


@pytest.mark.parametrize(("raw", "expected"), [("300/min", "300/min"), ("off", None),
                                                ("5/hour", "5/hour")])
def test_rate_setting(monkeypatch, raw, expected):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KSBB_API_ANON_RATE", raw)
    assert env.env_rate("KSBB_API_ANON_RATE", "1/s") == expected


@pytest.mark.parametrize("raw", ["300", "x/min", "0/min", "5/fortnight"])
def test_rate_setting_refuses_nonsense(monkeypatch, raw):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KSBB_API_ANON_RATE", raw)
    with pytest.raises(env.EnvError, match="KSBB_API_ANON_RATE"):
        env.env_rate("KSBB_API_ANON_RATE", "1/s")
