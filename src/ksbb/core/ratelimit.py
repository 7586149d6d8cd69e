"""Request limits kept in the shared cache: one counter per (scope, who, window).

``take`` counts the attempt first and answers afterwards, atomically (``cache.add`` then
``cache.incr``, both atomic in every cache KSBB configures), so that twenty requests sent at
once cannot all pass a check made before any of them was counted. Windows are fixed
(they start on multiples of their length): a counter never needs a read-modify-write of its
expiry.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
            "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str | None) -> Rate | None:
        """``"10/hour"`` -> Rate(10, 3600); None (limit off) for None."""
        if not text:
            return None
        number, _sep, period = text.partition("/")
        return cls(int(number), _SECONDS[period])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends


def take(scope: str, who: str, rate: Rate | str | None) -> Verdict:
    """Count one attempt by ``who`` (an address, an account id) under ``scope``."""
    if isinstance(rate, str):
        rate = Rate.parse(rate)
    if rate is None:
        return Verdict(True, 0)
    now = time.time()
    window = int(now // rate.seconds)
    digest = hashlib.sha256((who or "?").encode()).hexdigest()[:32]
    key = f"ksbb:rl:{scope}:{digest}:{window}"
    retry_after = max(1, int((window + 1) * rate.seconds - now) + 1)
    # The entry outlives its window a little, so that incr never meets an expired key.
    cache.add(key, 0, rate.seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this one as the first
        cache.add(key, 1, rate.seconds + 5)
        used = 1
    return Verdict(used <= rate.count, retry_after)


def peek(scope: str, who: str, rate: Rate | str | None) -> bool:
    """True while ``who`` has attempts left, without counting one."""
    if isinstance(rate, str):
        rate = Rate.parse(rate)
    if rate is None:
        return True
    window = int(time.time() // rate.seconds)
    digest = hashlib.sha256((who or "?").encode()).hexdigest()[:32]
    return int(cache.get(f"ksbb:rl:{scope}:{digest}:{window}", 0)) < rate.count
