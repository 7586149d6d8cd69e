"""Who acts in which region.

A person acts in the regions of the government organisations they hold a role in
(assessor, kelurahan officer, or platform administrator of that organisation: the
region's administrator). The installation's own administrator (a platform administrator
of no organisation) manages the regions; inside them, they act as they always did in the
default region only, so an installation of one region works as before.

:func:`in_actors_region` is the one predicate every domain's ``rules.py`` combines with
its government roles.
"""

from __future__ import annotations

from typing import Any

import rules

from ksbb.accounts.models import Membership, Role
from ksbb.regions.models import Region
from ksbb.regions.selectors import default_region_row, region_key_of

#: The roles a government organisation's people hold; they act in its region.
GOVERNMENT_ROLES = (Role.PLATFORM_ADMIN, Role.ASSESSOR, Role.KELURAHAN_OFFICER)


def _memberships(user: Any) -> list[tuple[str, int | None]]:
    cached = getattr(user, "_ksbb_region_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, role__in=GOVERNMENT_ROLES)
            .filter(organization__isnull=True)
            .values_list("role", "organization_id")
            .union(Membership.objects.filter(
                user=user, is_active=True, role__in=GOVERNMENT_ROLES,
                organization__is_active=True).values_list("role", "organization_id")))
        user._ksbb_region_memberships = cached
    return cached


def is_installation_admin_user(user: Any) -> bool:
    """The installation's administrator: a superuser or a platform administrator of no
    organisation (a region's administrator belongs to its government organisation)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or any(
        role == Role.PLATFORM_ADMIN and org is None for role, org in _memberships(user))


def actor_region_keys(user: Any) -> frozenset[int | None]:
    """The regions (primary keys; None: the default region before it is stored) where
    ``user`` holds a government role."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_ksbb_region_keys", None)
    if cached is not None:
        return cached

    default = default_region_row(user).pk
    memberships = _memberships(user)
    org_ids = {org for _role, org in memberships if org is not None}
    linked: dict[int, set[int]] = {}
    for org_id, region_id in Region.organizations.through.objects.filter(
            organization_id__in=org_ids).values_list("organization_id", "region_id"):
        linked.setdefault(org_id, set()).add(region_id)
    keys: set[int | None] = set()
    for org_id in org_ids:
        keys |= linked.get(org_id) or {default}
    if is_installation_admin_user(user):
        keys.add(default)
    result = frozenset(keys)
    user._ksbb_region_keys = result
    return result


@rules.predicate
def in_actors_region(user: Any, obj: Any = None) -> bool:
    """The object lies in a region where ``user`` holds a government role; a page-level
    check (no object) leaves the decision to the role rules."""
    if obj is None:
        return True
    return region_key_of(obj, holder=user) in actor_region_keys(user)


@rules.predicate
def is_installation_admin(user: Any) -> bool:
    return is_installation_admin_user(user)


rules.add_perm("regions.add_region", is_installation_admin)
rules.add_perm("regions.view_region", is_installation_admin)
