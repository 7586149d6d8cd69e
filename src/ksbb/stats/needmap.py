"""The need list donors pick an area or a recipient from: the ledger's figures
(:mod:`ksbb.stats.ledger`), as on the coverage page. Here, not in ``donations``, because the
ledger reads the donations: the figures sit above the domain they count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.needs.models import Recipient
from ksbb.stats import ledger


@dataclass(frozen=True)
class NeedMapRow:
    """An area (or, below a village, a recipient) with its need and what covers it."""

    code: str
    name: str
    level: int
    need: int
    promised: int = 0
    received: int = 0  # received for this place, not allocated yet
    allocated: int = 0
    delivered: int = 0
    recipient_id: int | None = None

    @property
    def covered(self) -> int:
        return self.received + self.allocated

    @property
    def percent(self) -> int:
        """Covered as a share of the need, 0-100 for the bar (over 100 shows as 100)."""
        if not self.need:
            return 100 if self.covered else 0
        return min(100, round(100 * self.covered / self.need))

    @property
    def open_need(self) -> int:
        return max(0, self.need - self.covered)

    @property
    def has_children(self) -> bool:
        return self.recipient_id is None and self.level < 5


def _row(code: str, name: str, level: int, f: Any, recipient_id: int | None = None
         ) -> NeedMapRow:
    return NeedMapRow(code, name, level, f.need, f.promised, f.received, f.allocated,
                      f.delivered, recipient_id)


def _least_covered_first(rows: list[NeedMapRow]) -> list[NeedMapRow]:
    return sorted(rows, key=lambda r: (r.percent, -r.open_need, r.code))


def need_map(*, item_code: str, within: str | None = None) -> list[NeedMapRow]:
    """Need and what covers it (ledger figures) of one aid item per area one level below
    ``within`` (regencies/cities when None), down to villages; least covered first."""
    level = int(areacodes.level_of(within)) + 1 if within else int(areacodes.Level.REGENCY)
    if level > 4:
        raise ValueError("below a village, use need_map_recipients")
    figures = ledger.by_area(ledger.Scope(item=item_code, within=within), level=level)
    names = dict(Area.objects.filter(code__in=figures).values_list("code", "name"))
    return _least_covered_first([_row(code, names.get(code, code), level, f)
                                 for code, f in figures.items()])


def need_map_recipients(*, item_code: str, village: str) -> list[NeedMapRow]:
    """The recipients of a village (its RWs and institutions) with their need and what
    covers each of them (ledger figures); least covered first."""
    figures = ledger.by_recipient(ledger.Scope(item=item_code, within=village))
    recipients = Recipient.objects.filter(pk__in=figures).filter(
        Q(kind=Recipient.Kind.RW) | Q(is_verified=True)).select_related("area")
    return _least_covered_first([_row(r.area_id, str(r), r.area.level, figures[r.pk], r.pk)
                                 for r in recipients])
