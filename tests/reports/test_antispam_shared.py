"""Issue 14, finding 6: with the default cache, limits and one-time challenges held per
worker (10 reports in a row against 5 per hour, one challenge answered twice), and the
challenge token carried its answer in readable form."""

from __future__ import annotations

import base64
import json
import multiprocessing
import re

import pytest

from ksbb.core.ratelimit import take
from ksbb.reports import antispam


@pytest.fixture
def shared_cache(settings, tmp_path):  # type: ignore[no-untyped-def]
    """The default installation's cache: a file cache every worker process opens."""
    settings.CACHES = {"default": {"BACKEND": "ksbb.core.cache.LockedFileCache",
                                   "LOCATION": str(tmp_path / "cache"),
                                   "OPTIONS": {"MAX_ENTRIES": 50_000}}}
    return tmp_path


def _in_processes(target, args, n: int = 4) -> list[int]:  # type: ignore[no-untyped-def]
    ctx = multiprocessing.get_context("fork")
    out: multiprocessing.Queue = ctx.Queue()
    start = ctx.Event()
    procs = [ctx.Process(target=target, args=(start, out, *args)) for _ in range(n)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(10)
    return results


def _answer(start, out, token, answer):  # type: ignore[no-untyped-def]
    from django.core.cache import caches

    caches._settings = None  # type: ignore[attr-defined]  # a worker opens its own
    start.wait()
    out.put(int(antispam.challenge_check(token, answer)))


def _report(start, out, ip):  # type: ignore[no-untyped-def]
    start.wait()
    out.put(sum(antispam.rate_take(ip) for _ in range(5)))


def _solve(question: str) -> int:
    a, b = re.fullmatch(r"(\d+) \+ (\d+)", question).groups()  # type: ignore[union-attr]
    return int(a) + int(b)


def test_the_token_does_not_reveal_the_answer(shared_cache):  # type: ignore[no-untyped-def]
    for _ in range(20):
        c = antispam.challenge_new()
        payload = c.token.split(":")[0]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert set(data) == {"n", "h"}
        answer = _solve(c.question)
        assert answer not in data.values() and str(answer) not in data.values()
    assert not antispam.challenge_check(c.token, _solve(c.question) + 1)
    assert antispam.challenge_check(c.token, _solve(c.question))


def test_a_challenge_is_accepted_once_across_workers(shared_cache):  # type: ignore[no-untyped-def]
    c = antispam.challenge_new()
    assert sum(_in_processes(_answer, (c.token, _solve(c.question)))) == 1
    assert not antispam.challenge_check(c.token, _solve(c.question))


def test_the_report_limit_holds_across_workers(shared_cache, settings):  # type: ignore[no-untyped-def]
    settings.KSBB_REPORTS_PER_HOUR = 5
    # Four workers, five reports each, at once: five accepted in all.
    assert sum(_in_processes(_report, ("203.0.113.50",))) == 5
    assert antispam.rate_limited("203.0.113.50")
    assert not antispam.rate_limited("203.0.113.51")


def test_a_limit_counts_attempts_before_the_work(shared_cache):  # type: ignore[no-untyped-def]
    assert [take("x", "who", "2/hour").allowed for _ in range(3)] == [True, True, False]
    assert take("x", "other", "2/hour").allowed
