"""Which rollup rows belong to which region (the national roll-up over them is
``ksbb.stats.regional``).

The rollups (``ksbb.stats.rollups``) place every figure at a regency/city code: what was
collected at the regency of the area the donor chose (or of the recipient chosen), else of
the donor's own area when it lies in the region the pledge was given to, else at the code of
that region (a province or a regency/city: :func:`pledge_place`); what was delivered at the
regency of the recipient. A region is a province or a
regency/city, so a regency lies wholly inside one region: the most specific region containing
it (``ksbb.regions.selectors``), the default region when none does (and for "").
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from typing import Any

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.regions.selectors import RegionRow, area_filter, region_table


def _row_for(code: str, table: tuple[RegionRow, ...]) -> RegionRow | None:
    return next((r for r in table if r.code == code), None)


def rollup_keys() -> list[str]:
    """Every value a rollup's ``regency`` can hold: a regency/city, a province (a pledge
    meant for a whole province) or "" (no place): substrings of area codes, which are
    foreign keys, so only of areas loaded."""
    return ["", *Area.objects.filter(level__lte=Area.Level.REGENCY).values_list("code",
                                                                                flat=True)]


def regency_filter(code: str, field_name: str = "regency",
                   table: tuple[RegionRow, ...] | None = None) -> Q:
    """A filter keeping the rollup rows (regency/city code in ``field_name``) of the region
    with area code ``code``: the region's own keys listed (``IN``), which the database
    matches in one probe per row, or through the index on the column. With one region
    only, everything is the default region's."""
    table = table if table is not None else region_table()
    row = _row_for(code, table)
    if row is None:
        return Q(pk__in=[])
    if sum(1 for r in table if r.pk is not None) <= 1 and row.is_default:
        return Q()
    return Q(**{f"{field_name}__in": region_keys(row.code, table)})


_keys_memo: dict[str, Any] = {}
_keys_lock = threading.Lock()


def region_keys(code: str, table: tuple[RegionRow, ...]) -> list[str]:
    """The rollup keys of the region with area code ``code`` (kept per process while the
    regions and the areas loaded stay the same)."""
    fingerprint = f"{table_key(table)}:{Area.objects.filter(level__lte=2).count()}"
    with _keys_lock:
        if _keys_memo.get("fingerprint") != fingerprint:
            owned: dict[str, list[str]] = defaultdict(list)
            for key in rollup_keys():
                owned[region_of_regency(key, table).code].append(key)
            _keys_memo.clear()
            _keys_memo.update(fingerprint=fingerprint, owned=dict(owned))
        return list(_keys_memo["owned"].get(code, []))


def region_of_regency(regency: str, table: tuple[RegionRow, ...]) -> RegionRow:
    """The region a rollup row's regency ("" or a code) belongs to: the most specific one
    containing it, else the default region."""
    if regency:
        # The regions containing it are among its own code and its ancestors' (a lookup
        # each, not a test per region: the national roll-up asks for every regency).
        stored = {r.code: r for r in table if r.pk is not None}
        for code in reversed(areacodes.ancestors(regency, include_self=True)):
            if code in stored:
                return stored[code]
    return next(r for r in table if r.is_default)


def table_key(table: tuple[RegionRow, ...]) -> str:
    """A short fingerprint of the regions, for cache keys: adding a region changes which
    rows each region's figures hold."""
    text = ";".join(f"{r.pk}:{r.code}:{int(r.is_default)}" for r in table)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


_table_memo: dict[str, Any] = {"value": "", "until": 0.0}


def memo_table_key() -> str:
    """:func:`table_key` of the regions, read again at most once a second per process (as
    the page cache reads the statistics generation): a cache hit then costs no query."""
    now = time.monotonic()
    if now >= _table_memo["until"]:
        _table_memo["value"], _table_memo["until"] = table_key(region_table()), now + 1.0
    return str(_table_memo["value"])


def pledge_place(*, place: str | None, donor_area: str | None, region_id: int | None,
                 table: tuple[RegionRow, ...] | None = None) -> str:
    """The area code a collected pledge counts at: the place chosen (an area, or the
    recipient's), else the donor's own area when it lies in the region the pledge was given
    to, else that region's own code, so that a gift to Bandung from a donor in Jakarta counts
    in Bandung. A pledge with no region stored counts where the donor lives, as before
    regions existed. "" for no place at all."""
    if place:
        return place
    if region_id is not None:
        table = table if table is not None else region_table()
        if region_of_regency(donor_area or "", table).pk != region_id:
            given = next((r for r in table if r.pk == region_id), None)
            if given is not None:
                return given.code
    return donor_area or ""


def pledge_place_expression(prefix: str = "",
                            table: tuple[RegionRow, ...] | None = None) -> Expression:
    """:func:`pledge_place` in SQL, on pledges (``prefix``: the path to them, e.g.
    ``"pledge__"``): a handful of regions, one ``WHEN`` each."""
    table = table if table is not None else region_table()
    donor = F(f"{prefix}collaborator__area_id")
    whens = []
    for row in table:
        if row.pk is None:
            continue
        inside = area_filter(row, f"{prefix}collaborator__area__code", table)
        if not inside:
            continue  # the only region: every donor lives in it
        whens.append(When(Q(**{f"{prefix}region_id": row.pk}) & ~inside,
                          then=Value(row.code)))
    elsewhere = Case(*whens, default=donor, output_field=CharField()) if whens else donor
    return Coalesce(F(f"{prefix}preferred_area_id"), F(f"{prefix}recipient__area_id"),
                    elsewhere, output_field=CharField())
