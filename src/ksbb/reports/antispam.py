"""Anti-spam without third-party services: a per-IP rate limit kept in the Django cache
and a signed arithmetic question with an expiry.

The cache is per process with the default LocMemCache; a deployment running several
processes sets KSBB_CACHE_URL=redis://... so that the limit holds across all of them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

CHALLENGE_SALT = "ksbb.reports.challenge"
CHALLENGE_MAX_AGE = 3600
RATE_WINDOW_SECONDS = 3600


def rate_limit() -> int:
    """Reports accepted per IP address per hour (setting KSBB_REPORTS_PER_HOUR, default 5)."""
    return int(getattr(settings, "KSBB_REPORTS_PER_HOUR", 5))


def _rate_key(ip: str) -> str:
    return "ksbb:reports:rate:" + hashlib.sha256((ip or "?").encode()).hexdigest()[:32]


def rate_limited(ip: str) -> bool:
    """True when this address has used up its reports for the hour."""
    return int(cache.get(_rate_key(ip), 0)) >= rate_limit()


def rate_count(ip: str) -> None:
    """Count one accepted report; the window starts with the first one."""
    key = _rate_key(ip)
    if not cache.add(key, 1, RATE_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, RATE_WINDOW_SECONDS)


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def challenge_new() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(8)}, salt=CHALLENGE_SALT,
                          compress=True)
    return Challenge(question=f"{a} + {b}", token=token)


def challenge_check(token: str, answer: object) -> bool:
    """True for the right answer to an unexpired question not answered before."""
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
        given = int(str(answer).strip())
    except (signing.BadSignature, ValueError, TypeError):
        return False
    if given != data.get("s"):
        return False
    # One answer per question: a bot cannot solve it once and replay it.
    used = "ksbb:reports:challenge:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return bool(cache.add(used, 1, CHALLENGE_MAX_AGE))
