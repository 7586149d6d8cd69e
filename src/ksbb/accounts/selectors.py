"""Reads about who a user is: roles, organisations, scopes. Cached on the user object,
which lives for one request, so a page that checks many permissions queries once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ksbb.accounts.models import Membership, Organization, Role
from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.regions.selectors import actor_regions_filter, organizations_in_actor_regions


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str]
    organization_ids: frozenset[int]
    # (organisation id, role) pairs, for checks such as "aggregator staff of this org".
    org_roles: frozenset[tuple[int, str]]
    village_codes: frozenset[str]
    recipient_ids: frozenset[int]


_EMPTY = Scope(frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


def scope_of(user: Any) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return _EMPTY
    cached = getattr(user, "_ksbb_scope", None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user, is_active=True)
        .filter(organization__isnull=True) | Membership.objects.filter(
            user=user, is_active=True, organization__is_active=True)
    )
    roles = {m.role for m in memberships}
    if user.is_superuser:
        roles.add(Role.PLATFORM_ADMIN)
    officer_ids = [m.pk for m in memberships if m.role == Role.KELURAHAN_OFFICER]
    villages = frozenset(
        Membership.villages.through.objects.filter(membership_id__in=officer_ids)
        .values_list("area_id", flat=True)
    ) if officer_ids else frozenset()
    scope = Scope(
        roles=frozenset(str(r) for r in roles),
        organization_ids=frozenset(m.organization_id for m in memberships if m.organization_id),
        org_roles=frozenset(
            (m.organization_id, m.role) for m in memberships if m.organization_id
        ),
        village_codes=villages,
        recipient_ids=frozenset(m.recipient_id for m in memberships if m.recipient_id),
    )
    user._ksbb_scope = scope
    return scope


def has_role(user: Any, *roles: str) -> bool:
    return bool(scope_of(user).roles.intersection(roles))


def organizations_visible_to(user: Any) -> QuerySet[Organization]:
    scope = scope_of(user)
    if scope.roles & {Role.PLATFORM_ADMIN, Role.ASSESSOR}:
        where = organizations_in_actor_regions(user)
        own = Organization.objects.filter(pk__in=scope.organization_ids)
        return Organization.objects.filter(where).distinct() | own if where \
            else Organization.objects.all()
    return Organization.objects.filter(pk__in=scope.organization_ids)


def villages_of(user: Any) -> QuerySet[Area]:
    """The villages a kelurahan officer covers (all of them for admins and assessors)."""
    scope = scope_of(user)
    if scope.roles & {Role.PLATFORM_ADMIN, Role.ASSESSOR}:
        return Area.objects.filter(actor_regions_filter(user, area="code"),
                                   level=Area.Level.VILLAGE)
    return Area.objects.filter(code__in=scope.village_codes)


def area_in_officer_scope(user: Any, code: str) -> bool:
    """True when ``code`` is one of the officer's villages or lies inside one."""
    village = areacodes.village_of(code)
    return village is not None and village in scope_of(user).village_codes
