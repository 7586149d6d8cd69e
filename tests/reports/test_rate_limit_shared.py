"""The misuse-report rate limit holds across processes when the cache is Redis."""

from __future__ import annotations

import uuid

import pytest

from ksbb.reports import antispam


@pytest.fixture
def redis_cache(settings):  # type: ignore[no-untyped-def]
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    prefix = f"ksbb-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": url, "KEY_PREFIX": prefix}}
    client = redis.Redis.from_url(url)
    yield client, prefix
    # Only this test's keys: the cache's clear() would flush the whole Redis database.
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_every_worker_sees_the_same_count(redis_cache, settings):  # type: ignore[no-untyped-def]
    client, prefix = redis_cache
    settings.KSBB_REPORTS_PER_HOUR = 3
    for _ in range(3):
        assert not antispam.rate_limited("203.0.113.7")
        assert antispam.rate_take("203.0.113.7")
    assert antispam.rate_limited("203.0.113.7")
    assert not antispam.rate_take("203.0.113.7")
    assert not antispam.rate_limited("203.0.113.8")
    # Kept in Redis itself, where a second gunicorn worker reads the same key.
    assert client.keys(f"{prefix}:*ksbb:rl:reports:*")


def test_behind_a_proxy_the_proxys_entry_counts(rf, settings):  # type: ignore[no-untyped-def]
    from ksbb.core.clientip import client_ip

    settings.KSBB_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4",
                     REMOTE_ADDR="10.0.0.1")
    # The client wrote 6.6.6.6 itself; our proxy appended the address it saw.
    assert client_ip(request) == "198.51.100.4"
    settings.KSBB_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
