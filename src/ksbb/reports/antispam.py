"""Anti-spam without third-party services: a per-address rate limit kept in the shared
cache (ksbb.core.ratelimit: counted before the work, atomically) and a signed arithmetic
question with an expiry, answered once.

The default cache is shared by every process of the machine (a file cache in the data
folder); several machines share it through KSBB_CACHE_URL=redis://...
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

from ksbb.core.ratelimit import Rate, peek, take

CHALLENGE_SALT = "ksbb.reports.challenge"
CHALLENGE_MAX_AGE = 3600
RATE_WINDOW_SECONDS = 3600


def rate_limit() -> int:
    """Reports accepted per IP address per hour (setting KSBB_REPORTS_PER_HOUR, default 5)."""
    return int(getattr(settings, "KSBB_REPORTS_PER_HOUR", 5))


def _rate() -> Rate:
    return Rate(rate_limit(), RATE_WINDOW_SECONDS)


def rate_limited(ip: str) -> bool:
    """True when this address has used up its reports for the hour (counts nothing)."""
    return not peek("reports", ip or "", _rate())


def rate_take(ip: str) -> bool:
    """Count one report from this address before it is saved; False when over the limit.

    Taken before the work and atomically, so that reports sent at once cannot all pass a
    check made before any of them was counted."""
    return take("reports", ip or "", _rate()).allowed


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _answer_digest(nonce: str, answer: int) -> str:
    return salted_hmac(CHALLENGE_SALT, f"{nonce}:{answer}").hexdigest()[:32]


def challenge_new() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(8)
    # A signed token is readable by anyone (base64), so it carries a keyed digest of the
    # answer, never the answer itself.
    token = signing.dumps({"n": nonce, "h": _answer_digest(nonce, a + b)}, salt=CHALLENGE_SALT)
    return Challenge(question=f"{a} + {b}", token=token)


def challenge_check(token: str, answer: object) -> bool:
    """True for the right answer to an unexpired question not answered before."""
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
        given = int(str(answer).strip())
    except (signing.BadSignature, ValueError, TypeError):
        return False
    if not isinstance(data, dict) or not constant_time_compare(
            _answer_digest(str(data.get("n", "")), given), str(data.get("h", ""))):
        return False
    # One answer per question: a bot cannot solve it once and replay it. cache.add is
    # atomic in every cache KSBB configures (Redis, the locked file cache, locmem).
    used = "ksbb:reports:challenge:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return bool(cache.add(used, 1, CHALLENGE_MAX_AGE))
