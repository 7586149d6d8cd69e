"""The permission API: django-rules predicates, checked with ``user.has_perm(name, obj)``
by pages (PermissionRequiredMixin) and by the API (KsbbObjectPermission) alike.

Permission names are ``app.verb_noun``. Object-level rules receive the object; page rules
receive None.
"""

from __future__ import annotations

from typing import Any

import rules

from ksbb.accounts.models import Role
from ksbb.accounts.selectors import area_in_officer_scope, scope_of
from ksbb.regions.rules import in_actors_region


def _role_predicate(role: str) -> Any:
    @rules.predicate(name=f"is_{role}")
    def check(user: Any) -> bool:
        return role in scope_of(user).roles

    return check


# The government roles act only inside their region (ksbb.regions): on an object of
# another region they are false, so every rule built from them is region-aware.
is_platform_admin = _role_predicate(Role.PLATFORM_ADMIN) & in_actors_region
is_assessor = _role_predicate(Role.ASSESSOR) & in_actors_region
is_aggregator_staff = _role_predicate(Role.AGGREGATOR_STAFF)
is_executor_staff = _role_predicate(Role.EXECUTOR_STAFF)
is_kelurahan_officer = _role_predicate(Role.KELURAHAN_OFFICER) & in_actors_region
is_recipient_representative = _role_predicate(Role.RECIPIENT_REPRESENTATIVE)
is_collaborator = _role_predicate(Role.COLLABORATOR)
is_government = is_platform_admin | is_assessor


@rules.predicate
def is_member_of_organization(user: Any, organization: Any) -> bool:
    return organization is not None and organization.pk in scope_of(user).organization_ids


@rules.predicate
def is_officer_for_area(user: Any, area: Any) -> bool:
    return area is not None and area_in_officer_scope(user, area.code)


@rules.predicate
def represents_recipient(user: Any, recipient: Any) -> bool:
    return recipient is not None and recipient.pk in scope_of(user).recipient_ids


@rules.predicate
def is_officer_for_recipient(user: Any, recipient: Any) -> bool:
    return recipient is not None and area_in_officer_scope(user, recipient.area_id)


# Workspaces (pages), one per audience.
rules.add_perm("web.access_backoffice", is_government)
rules.add_perm("web.access_field", is_platform_admin | is_executor_staff | is_kelurahan_officer)
rules.add_perm("web.access_organizations", is_government | is_aggregator_staff
               | is_executor_staff | is_collaborator)

# Records.
rules.add_perm("accounts.view_organization", is_government | is_member_of_organization)
rules.add_perm("areas.view_village_workspace", is_government | is_officer_for_area)
rules.add_perm("needs.view_recipient",
               is_government | represents_recipient | is_officer_for_recipient)
rules.add_perm("web.access_recipients", is_recipient_representative)
