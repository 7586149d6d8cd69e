"""Reads about who a user is: roles, organisations, scopes. Cached on the user object,
which lives for one request, so a page that checks many permissions queries once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from ksbb.accounts.models import Membership, Organization, Role
from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.core.models import AuditEntry
from ksbb.regions.selectors import (
    GOVERNMENT_ROLES,
    actor_region_keys,
    actor_regions_filter,
    is_installation_admin,
    memberships_in_region_filter,
    organizations_in_actor_regions,
    region_key_of_area,
    region_keys_of,
    region_table,
)


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
        # One query with one DISTINCT (the region join repeats rows): a distinct queryset
        # cannot be OR-ed with a plain one.
        return Organization.objects.filter(
            where | Q(pk__in=scope.organization_ids)).distinct() if where \
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


def villages_outside_region(organization: Organization | None,
                            villages: list[Area]) -> list[Area]:
    """The ``villages`` that lie outside every region ``organization`` works in (none for
    an organisation that works anywhere): a kelurahan officer of Bandung's office cannot
    be given a Jakarta village."""
    keys = region_keys_of(organization) if organization is not None else None
    if keys is None or not villages:
        return []
    table = region_table()
    return [v for v in villages if region_key_of_area(v.code, table=table) not in keys]


def grant_within_actor_regions(user: Any, *, organization: Organization | None,
                               recipient: Any = None) -> bool:
    """Whether ``user`` may grant a role in ``organization`` (or over ``recipient``, a
    ``needs.Recipient`` or its primary key) as far as regions go: a person holding a
    government role in a region (its administrator) grants only inside their regions, and
    never a role of no organisation (that is the installation's administrator). The
    installation's administrator grants anywhere; a person holding no government role
    (a donor registering their own organisation) is not bound to a region."""
    if is_installation_admin(user):
        return True
    keys = actor_region_keys(user)
    if not keys:
        return True
    if organization is not None:
        theirs = region_keys_of(organization, holder=user)
        return theirs is None or bool(theirs & keys)
    code = getattr(recipient, "area_id", None)
    if code is None and recipient is not None:
        # Looked up by name: accounts is a base app and imports no domain app (needs).
        model: Any = apps.get_model("needs", "Recipient")
        code = model.objects.filter(pk=recipient).values_list("area_id", flat=True).first()
    return code is not None and region_key_of_area(code, holder=user) in keys


def organization_counts_for(user: Any) -> dict[str, int]:
    """Organisations per kind, as many as ``user`` sees in their regions (collaborators
    and executors everywhere)."""
    where = organizations_in_actor_regions(user)
    qs = Organization.objects.filter(where).distinct() if where else Organization.objects
    counts: dict[str, int] = {}
    for kind in qs.values_list("kind", flat=True).order_by():
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def audit_entries_visible_to(user: Any) -> QuerySet[AuditEntry]:
    """The audit entries the back office lists for ``user``: all of them for the
    installation's administrator (or with one region); for a region's people, those made
    by the people holding a government role in their regions, so that another region's
    rounds, reports and handovers do not show by name."""
    if is_installation_admin(user) or len(region_table(user)) == 1:
        return AuditEntry.objects.all()
    where = Q(pk__in=[])
    for key in actor_region_keys(user):
        where |= memberships_in_region_filter(key)
    people = Membership.objects.filter(where, is_active=True, role__in=GOVERNMENT_ROLES)
    return AuditEntry.objects.filter(actor_id__in=people.values("user_id"))
