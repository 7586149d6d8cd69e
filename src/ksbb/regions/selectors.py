"""Reads about regions: which exist, the default one, which region an area, a record or
a person belongs to, and the query filters that keep a list inside one region.

The rule everywhere: an area belongs to the most specific region containing it; an area no
region contains, a record without a region and an organisation linked to no region belong
to the default region (so one region behaves as before regions existed).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from ksbb.core import areacodes
from ksbb.regions.models import Region


@dataclass(frozen=True)
class RegionRow:
    """What the checks need of a region, read once per request (see :func:`region_table`)."""

    pk: int | None
    code: str
    is_default: bool


def regions() -> QuerySet[Region]:
    return Region.objects.all()


def default_region() -> Region:
    """The default region; before one is stored (an empty database), an unsaved one for
    the configured province (``KSBB_DEFAULT_PROVINCE``), so callers always get a region."""
    region = Region.objects.filter(is_default=True).first()
    if region is None:
        code = settings.KSBB_DEFAULT_PROVINCE
        region = Region(code=code, name=f"KSBB {code}", slug=f"ksbb-{code}", is_default=True)
    return region


def region_by_slug(slug: str) -> Region | None:
    return Region.objects.filter(slug=slug).first()


def _rows() -> tuple[RegionRow, ...]:
    rows = tuple(RegionRow(pk, code, is_default) for pk, code, is_default in
                 Region.objects.values_list("pk", "code", "is_default"))
    if not any(r.is_default for r in rows):
        rows += (RegionRow(None, settings.KSBB_DEFAULT_PROVINCE, True),)
    return rows


def region_table(holder: Any = None) -> tuple[RegionRow, ...]:
    """Every region (a handful), with the default one always present. Kept on ``holder``
    (a user: one request) when given, so a page that checks many objects reads once."""
    if holder is None:
        return _rows()
    cached = getattr(holder, "_ksbb_regions", None)
    if cached is None:
        cached = _rows()
        # An object that takes no attributes keeps nothing.
        with contextlib.suppress(AttributeError):
            holder._ksbb_regions = cached
    return cached


def _default_row(table: tuple[RegionRow, ...]) -> RegionRow:
    return next(r for r in table if r.is_default)


def _most_specific(code: str, table: tuple[RegionRow, ...]) -> RegionRow | None:
    best: RegionRow | None = None
    for row in table:
        if row.pk is not None and areacodes.is_within(code, row.code) and (
                best is None or len(row.code) > len(best.code)):
            best = row
    return best


def region_of_area(code: str) -> Region | None:
    """The most specific region containing area ``code`` (itself included); None when no
    region contains it."""
    row = _most_specific(code, _rows())
    return Region.objects.get(pk=row.pk) if row is not None and row.pk is not None else None


def region_key_of_area(code: str, *, holder: Any = None) -> int | None:
    """The primary key of the region area ``code`` belongs to (the default region when no
    region contains it; None when that default is not stored yet)."""
    table = region_table(holder)
    row = _most_specific(code, table)
    return (row or _default_row(table)).pk


def region_key(region_id: int | None, *, holder: Any = None) -> int | None:
    """A record's ``region_id`` with "none" read as the default region."""
    return region_id if region_id is not None else _default_row(region_table(holder)).pk


def region_key_of(obj: Any, *, holder: Any = None) -> int | None:
    """The region of a record: its own ``region`` when it has the field, else the region of
    its place (``area``, its recipient's area, its round's region)."""
    if obj is None:
        return None
    opts = getattr(obj, "_meta", None)
    label = opts.label_lower if opts is not None else ""
    if label == "areas.area":
        return region_key_of_area(obj.code, holder=holder)
    if label in ("allocation.allocationrun", "needs.need", "needs.needsimport"):
        return region_key_of(obj.round, holder=holder)
    if opts is not None and any(f.name == "region" for f in opts.concrete_fields):
        return region_key(obj.region_id, holder=holder)
    for attr in ("area_id", "rw_id"):
        code = getattr(obj, attr, None)
        if code:
            return region_key_of_area(code, holder=holder)
    for attr in ("recipient", "delivery", "handover"):
        related = getattr(obj, attr, None) if hasattr(obj, f"{attr}_id") else None
        if related is not None:
            return region_key_of(related, holder=holder)
    return region_key(None, holder=holder)


def organization_region_keys(organization: Any, *, holder: Any = None) -> frozenset[int | None]:
    """The regions an organisation works in (the default one when it is linked to none)."""
    keys = frozenset(organization.regions.values_list("pk", flat=True)) \
        if organization.pk else frozenset()
    return keys or frozenset({_default_row(region_table(holder)).pk})


def _within(field: str, code: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


def area_filter(region: Region | RegionRow, field: str = "area_id",
                table: tuple[RegionRow, ...] | None = None) -> Q:
    """A filter keeping the rows whose area code ``field`` (a code column: ``area_id``,
    ``recipient__area_id``) belongs to ``region``."""
    table = table if table is not None else _rows()
    others = [r for r in table if r.pk is not None and r.pk != region.pk]
    q = _within(field, region.code)
    for nested in others:
        if len(nested.code) > len(region.code) and areacodes.is_within(nested.code,
                                                                        region.code):
            q &= ~_within(field, nested.code)
    if region.is_default:
        unclaimed = Q()
        for other in others:
            unclaimed &= ~_within(field, other.code)
        q |= unclaimed
    return q


def record_filter(region: Region | RegionRow, field: str = "region") -> Q:
    """A filter keeping the rows whose region foreign key ``field`` names ``region``
    (rows without one belong to the default region)."""
    q = Q(**{f"{field}__isnull": True}) if region.is_default else Q(pk__in=[])
    if region.pk is not None:
        q |= Q(**{f"{field}_id": region.pk})
    return q


def default_region_row(holder: Any = None) -> RegionRow:
    return _default_row(region_table(holder))


def row_of(region: Region) -> RegionRow:
    return RegionRow(region.pk, region.code, region.is_default)


__all__ = ["RegionRow", "area_filter", "default_region", "default_region_row",
           "organization_region_keys", "record_filter", "region_by_slug", "region_key",
           "region_key_of", "region_key_of_area", "region_of_area", "region_table",
           "regions", "row_of"]
