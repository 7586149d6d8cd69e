"""Who may do what with pledges, purchases and aggregators (see accounts/rules.py)."""

from __future__ import annotations

from typing import Any

import rules

from ksbb.accounts.models import Role
from ksbb.accounts.rules import (
    is_aggregator_staff,
    is_collaborator,
    is_government,
)
from ksbb.accounts.selectors import scope_of
from ksbb.regions.rules import is_installation_admin
from ksbb.regions.selectors import is_region_admin as _is_region_admin
from ksbb.regions.selectors import organization_region_keys, region_key_of, regions_administered


def _has_org_role(user: Any, organization_id: int | None, role: str) -> bool:
    return organization_id is not None and (organization_id, role) in scope_of(user).org_roles


@rules.predicate
def is_collaborator_of_pledge(user: Any, pledge: Any) -> bool:
    return pledge is not None and _has_org_role(user, pledge.collaborator_id, Role.COLLABORATOR)


@rules.predicate
def is_staff_of_pledge_aggregator(user: Any, pledge: Any) -> bool:
    # An aggregator handles the pledges of the regions it serves (ksbb.regions).
    return (pledge is not None
            and _has_org_role(user, pledge.aggregator_id, Role.AGGREGATOR_STAFF)
            and region_key_of(pledge, holder=user) in organization_region_keys(
                pledge.aggregator, holder=user))


@rules.predicate
def is_collaborator_of_organization(user: Any, organization: Any) -> bool:
    return organization is not None and _has_org_role(user, organization.pk, Role.COLLABORATOR)


@rules.predicate
def is_staff_of_aggregator(user: Any, organization: Any) -> bool:
    return organization is not None and _has_org_role(user, organization.pk,
                                                      Role.AGGREGATOR_STAFF)


@rules.predicate
def is_staff_of_purchase_aggregator(user: Any, purchase: Any) -> bool:
    return purchase is not None and _has_org_role(user, purchase.aggregator_id,
                                                  Role.AGGREGATOR_STAFF)


@rules.predicate
def funded_by_own_pledge(user: Any, purchase: Any) -> bool:
    if purchase is None:
        return False
    own = {org for org, role in scope_of(user).org_roles if role == Role.COLLABORATOR}
    return bool(own) and purchase.fundings.filter(pledge__collaborator_id__in=own).exists()


@rules.predicate
def is_admin_of_region(user: Any, region: Any) -> bool:
    return _is_region_admin(user, region)


# Pages.
rules.add_perm("donations.access_my_pledges", is_collaborator)
rules.add_perm("donations.add_pledge", is_collaborator)
rules.add_perm("donations.access_inbox", is_aggregator_staff)
# The installation's administrator (not a region's): aggregators serve several regions.
rules.add_perm("donations.verify_aggregator", is_installation_admin)

# Records.
rules.add_perm("donations.view_pledge",
               is_government | is_collaborator_of_pledge | is_staff_of_pledge_aggregator)
rules.add_perm("donations.pledge_for", is_collaborator_of_organization)
rules.add_perm("donations.receive_pledge", is_staff_of_pledge_aggregator)
rules.add_perm("donations.cancel_pledge", is_collaborator_of_pledge)
rules.add_perm("donations.advance_pledge", is_government)
rules.add_perm("donations.record_purchase", is_staff_of_aggregator)
rules.add_perm("donations.view_purchase",
               is_government | is_staff_of_purchase_aggregator | funded_by_own_pledge)
rules.add_perm("donations.change_item", is_installation_admin)

# Added with the need list, purchases page, pledge import and donation receipts.
# Public since issue 13: the map of where aid is missing steers donors before they register.
rules.add_perm("donations.view_need_map", rules.always_allow)
rules.add_perm("donations.access_purchases", is_aggregator_staff)
rules.add_perm("donations.import_pledges", is_staff_of_aggregator)
rules.add_perm("donations.access_import", is_aggregator_staff)
rules.add_perm("donations.download_receipt",
               is_collaborator_of_pledge | is_staff_of_pledge_aggregator)

# A region's programmes (issue 18): its own administrator, or the installation's (who
# manages every region); never another region's administrator.
rules.add_perm("donations.manage_region_programs", is_installation_admin | is_admin_of_region)


@rules.predicate
def administers_a_region(user: Any) -> bool:
    return bool(regions_administered(user))


rules.add_perm("donations.access_region_programs", administers_a_region)
