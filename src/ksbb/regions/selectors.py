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

from ksbb.accounts.models import Membership
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


def region_key_of_area(code: str, *, holder: Any = None,
                       table: tuple[RegionRow, ...] | None = None) -> int | None:
    """The primary key of the region area ``code`` belongs to (the default region when no
    region contains it; None when that default is not stored yet)."""
    table = table if table is not None else region_table(holder)
    row = _most_specific(code, table)
    return (row or _default_row(table)).pk


def region_key(region_id: int | None, *, holder: Any = None) -> int | None:
    """A record's ``region_id`` with "none" read as the default region."""
    return region_id if region_id is not None else _default_row(region_table(holder)).pk


#: Organisation kinds that work in regions; the others (collaborators, executors) work
#: anywhere.
REGIONAL_KINDS = ("government", "aggregator")


def region_keys_of(obj: Any, *, holder: Any = None) -> frozenset[int | None] | None:
    """The regions a record belongs to; None: it belongs to no region in particular (a
    collaborator or executor organisation works in every region)."""
    opts = getattr(obj, "_meta", None)
    if opts is not None and opts.label_lower == "accounts.organization":
        if obj.kind not in REGIONAL_KINDS:
            return None
        return organization_region_keys(obj, holder=holder)
    return frozenset({region_key_of(obj, holder=holder)})


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
    if label == "allocation.proposedline":
        return region_key_of(obj.run, holder=holder)
    if label == "donations.purchase":
        # Bought with pledged money: the region the pledges were given to (one region;
        # ksbb.donations.services.purchase_record refuses to mix them).
        funding = obj.fundings.select_related("pledge").order_by("pk").first() \
            if obj.pk else None
        return region_key(funding.pledge.region_id if funding else None, holder=holder)
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
    keys: frozenset[int | None] = frozenset(
        organization.regions.values_list("pk", flat=True)) if organization.pk else frozenset()
    return keys or frozenset({_default_row(region_table(holder)).pk})


#: The roles a government organisation's people hold; they act in its region.
GOVERNMENT_ROLES = ("platform_admin", "assessor", "kelurahan_officer")


def _government_memberships(user: Any) -> list[tuple[str, int | None]]:
    cached = getattr(user, "_ksbb_region_memberships", None)
    if cached is None:
        mine = Membership.objects.filter(user=user, is_active=True, role__in=GOVERNMENT_ROLES)
        cached = list(mine.filter(organization__isnull=True).values_list(
            "role", "organization_id").union(mine.filter(
                organization__is_active=True).values_list("role", "organization_id")))
        user._ksbb_region_memberships = cached
    return cached


def _signed_in(user: Any) -> bool:
    return (user is not None and getattr(user, "is_authenticated", False) is True
            and bool(user.is_active))


def is_installation_admin(user: Any) -> bool:
    """The installation's administrator: a superuser or a platform administrator of no
    organisation (a region's administrator is one of its government organisation)."""
    if not _signed_in(user):
        return False
    return bool(user.is_superuser) or any(
        role == "platform_admin" and org is None for role, org in _government_memberships(user))


def _regions_of_organizations(user: Any, org_ids: set[int]) -> frozenset[int | None]:
    """The regions the government organisations ``org_ids`` work in (an organisation linked
    to none works in the default region), plus the default region for the installation's
    administrator."""
    default = _default_row(region_table(user)).pk
    linked: dict[int, set[int | None]] = {}
    for org_id, region_id in Region.organizations.through.objects.filter(
            organization_id__in=org_ids).values_list("organization_id", "region_id"):
        linked.setdefault(org_id, set()).add(region_id)
    keys: set[int | None] = set()
    for org_id in org_ids:
        keys |= linked.get(org_id) or {default}
    if is_installation_admin(user):
        keys.add(default)
    return frozenset(keys)


def actor_region_keys(user: Any) -> frozenset[int | None]:
    """The regions (primary keys; None: the default region before it is stored) where
    ``user`` holds a government role. The installation's administrator acts in the default
    region, as before regions existed."""
    if not _signed_in(user):
        return frozenset()
    cached = getattr(user, "_ksbb_region_keys", None)
    if cached is None:
        cached = user._ksbb_region_keys = _regions_of_organizations(user, {
            org for _role, org in _government_memberships(user) if org is not None})
    return cached


def _admin_region_keys(user: Any) -> frozenset[int | None]:
    """The regions where ``user`` is a platform administrator of a government organisation
    (kept on the user: one request)."""
    cached = getattr(user, "_ksbb_admin_region_keys", None)
    if cached is None:
        cached = user._ksbb_admin_region_keys = _regions_of_organizations(user, {
            org for role, org in _government_memberships(user)
            if role == "platform_admin" and org is not None})
    return cached


def is_region_admin(user: Any, region: Any) -> bool:
    """``user`` administers ``region``: a platform administrator of a government
    organisation working in it (for the default region also the installation's own
    administrator, who acts in it as before regions existed)."""
    if not _signed_in(user) or region is None:
        return False
    key = region.pk if region.pk is not None else default_region_row(user).pk
    return key in _admin_region_keys(user)


def regions_administered(user: Any) -> list[Region]:
    """The regions ``user`` administers: every one for the installation's administrator."""
    if not _signed_in(user):
        return []
    if is_installation_admin(user):
        return list(Region.objects.all())
    keys = _admin_region_keys(user)
    return [r for r in Region.objects.all() if r.pk in keys]


def actor_regions_filter(user: Any, *, area: str | None = None,
                         region: str | None = None) -> Q:
    """A filter keeping the rows in the regions where ``user`` holds a government role: by
    the area code column ``area`` or by the region foreign key ``region``. One region in
    the installation: no filter at all."""
    table = region_table(user)
    keys = actor_region_keys(user)
    if len(table) == 1 and keys == {table[0].pk}:
        return Q()
    q = Q(pk__in=[])
    for row in table:
        if row.pk in keys:
            q |= (area_filter(row, area, table) if area is not None
                  else record_filter(row, region or "region"))
    return q


def memberships_in_region_filter(key: int | None) -> Q:
    """A filter keeping the memberships (government roles) that act in the region with
    primary key ``key``: of an organisation linked to it, or, for the default region, of
    an organisation linked to none or of no organisation."""
    q = Q(organization__regions=key) if key is not None else Q(pk__in=[])
    if key == default_region_row().pk:
        q |= Q(organization__isnull=True) | Q(organization__regions__isnull=True)
    return q


def organizations_in_actor_regions(user: Any) -> Q:
    """Organisations a government actor sees: those working in their regions, and every
    collaborator and executor (they work anywhere)."""
    table = region_table(user)
    keys = actor_region_keys(user)
    if len(table) == 1 and keys == {table[0].pk}:
        return Q()
    default = _default_row(table).pk
    q = ~Q(kind__in=REGIONAL_KINDS) | Q(regions__in=[k for k in keys if k is not None])
    if default in keys:
        q |= Q(regions__isnull=True)
    return q


def _within(field: str, code: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


def area_filter(region: Region | RegionRow, field: str = "area__code",
                table: tuple[RegionRow, ...] | None = None) -> Q:
    """A filter keeping the rows whose area code ``field`` (``code``, ``area__code``,
    ``recipient__area__code``: a code, not a foreign key column) belongs to ``region``;
    rows without an area belong to the default region."""
    table = table if table is not None else _rows()
    others = [r for r in table if r.pk is not None and r.pk != region.pk]
    if region.is_default and not others:
        return Q()
    q = _within(field, region.code)
    for nested in others:
        if len(nested.code) > len(region.code) and areacodes.is_within(nested.code,
                                                                        region.code):
            q &= ~_within(field, nested.code)
    if region.is_default:
        unclaimed = Q()
        for other in others:
            unclaimed &= ~_within(field, other.code)
        q |= unclaimed | Q(**{f"{field}__isnull": True})
    return q


def record_filter(region: Region | RegionRow, field: str = "region") -> Q:
    """A filter keeping the rows whose region foreign key ``field`` names ``region``
    (rows without one belong to the default region)."""
    q = Q(**{f"{field}__isnull": True}) if region.is_default else Q(pk__in=[])
    if region.pk is not None:
        q |= Q(**{f"{field}_id": region.pk})
    return q


def region_row(key: int | None, *, holder: Any = None) -> RegionRow:
    """The region with primary key ``key`` (None: the default region)."""
    table = region_table(holder)
    return next((r for r in table if key is not None and r.pk == key), None) \
        or _default_row(table)


def served_regions_filter(aggregator_ids: Any, field: str = "region") -> Q:
    """A filter keeping the rows (pledges) whose region, by foreign key ``field``, one of
    the aggregators serves. Only aggregator staff need it: they see their own pledges."""
    table = region_table()
    if len(table) == 1:
        return Q()
    through = Region.organizations.through.objects.filter(organization_id__in=aggregator_ids)
    served = set(through.values_list("region_id", flat=True))
    unlinked = set(aggregator_ids) - set(through.values_list("organization_id", flat=True))
    q = Q(pk__in=[])
    for row in table:
        if row.pk in served or (unlinked and row.is_default):
            q |= record_filter(row, field)
    return q


def default_region_row(holder: Any = None) -> RegionRow:
    return _default_row(region_table(holder))


def row_of(region: Region) -> RegionRow:
    return RegionRow(region.pk, region.code, region.is_default)


__all__ = ["GOVERNMENT_ROLES", "REGIONAL_KINDS", "RegionRow", "actor_region_keys",
           "actor_regions_filter", "area_filter", "default_region", "default_region_row",
           "is_installation_admin", "is_region_admin", "memberships_in_region_filter",
           "organization_region_keys", "organizations_in_actor_regions", "record_filter",
           "region_by_slug", "region_key", "region_key_of", "region_key_of_area",
           "region_keys_of", "region_of_area", "region_row", "region_table", "regions",
           "regions_administered", "row_of", "served_regions_filter"]
