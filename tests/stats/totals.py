"""The summary rollups (``CollectedTotal``, ``DeliveredTotal``) are the daily rollups summed:
a check the rollup and national tests run after their flows."""

from __future__ import annotations

from typing import Any

from ksbb.stats.models import (
    TOTAL_KEY,
    CollectedDaily,
    CollectedTotal,
    DeliveredDaily,
    DeliveredTotal,
)

PAIRS = [(CollectedDaily, CollectedTotal, ("pledges", "quantity", "amount")),
         (DeliveredDaily, DeliveredTotal, ("deliveries", "quantity"))]


def _nonzero(rows: dict[tuple[Any, ...], list[int]]) -> dict[tuple[Any, ...], list[int]]:
    return {k: v for k, v in rows.items() if any(v)}


def assert_totals_are_the_daily_rows_summed() -> None:
    for daily, total, counters in PAIRS:
        summed: dict[tuple[Any, ...], list[int]] = {}
        for row in daily.objects.values_list(*TOTAL_KEY, *counters):
            sums = summed.setdefault(row[:len(TOTAL_KEY)], [0] * len(counters))
            for n, value in enumerate(row[len(TOTAL_KEY):]):
                sums[n] += value
        kept = {row[:len(TOTAL_KEY)]: list(row[len(TOTAL_KEY):])
                for row in total.objects.values_list(*TOTAL_KEY, *counters)}
        assert _nonzero(kept) == _nonzero(summed), total.__name__
        # No row of zeros left behind by a correction that took everything out.
        assert all(any(v) for v in kept.values()), total.__name__
