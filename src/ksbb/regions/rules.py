"""Who acts in which region.

A person acts in the regions of the government organisations they hold a role in
(assessor, kelurahan officer, or platform administrator of that organisation: the
region's administrator). The installation's own administrator (a platform administrator
of no organisation) manages the regions; inside them, they act as they always did in the
default region only, so an installation of one region works as before.

:func:`in_actors_region` is the one predicate ``accounts/rules.py`` combines with the
government roles, so every domain's rules are region-aware through them.
"""

from __future__ import annotations

from typing import Any

import rules

from ksbb.regions.selectors import actor_region_keys, region_keys_of
from ksbb.regions.selectors import is_installation_admin as _is_installation_admin


@rules.predicate
def in_actors_region(user: Any, obj: Any = None) -> bool:
    """The object lies in a region where ``user`` holds a government role; a page-level
    check (no object) leaves the decision to the role rules."""
    if obj is None:
        return True
    keys = region_keys_of(obj, holder=user)
    return keys is None or bool(keys & actor_region_keys(user))


@rules.predicate
def is_installation_admin(user: Any) -> bool:
    return _is_installation_admin(user)


rules.add_perm("regions.add_region", is_installation_admin)
rules.add_perm("regions.view_region", is_installation_admin)
