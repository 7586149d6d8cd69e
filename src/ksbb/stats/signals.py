"""Cache invalidation for the statistics (see apps.py: no business logic here)."""

from __future__ import annotations

from typing import Any

from ksbb.stats.selectors import stats_invalidate


def invalidate_on_change(sender: Any, **kwargs: Any) -> None:
    # Runs inside the writer's transaction: the new generation commits with the change.
    stats_invalidate()
