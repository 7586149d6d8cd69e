"""Who may do what with allocation runs and allocations (django-rules).

Runs and manual allocations are the assessor's work; the platform administrator reads
them. An allocation is also visible to the staff of the aggregator holding its supply and
to the collaborator whose pledge it came from.
"""

from __future__ import annotations

from typing import Any

import rules

from ksbb.accounts.models import Role
from ksbb.accounts.rules import is_assessor, is_government
from ksbb.accounts.selectors import scope_of


def _has_org_role(user: Any, organization_id: int | None, role: str) -> bool:
    return organization_id is not None and (organization_id, role) in scope_of(user).org_roles


@rules.predicate
def holds_allocation_supply(user: Any, allocation: Any) -> bool:
    if allocation is None:
        return False
    supply = allocation.pledge if allocation.pledge_id else allocation.purchase
    return supply is not None and _has_org_role(user, supply.aggregator_id,
                                                Role.AGGREGATOR_STAFF)


@rules.predicate
def gave_allocation_pledge(user: Any, allocation: Any) -> bool:
    return (allocation is not None and allocation.pledge_id is not None
            and _has_org_role(user, allocation.pledge.collaborator_id, Role.COLLABORATOR))


rules.add_perm("allocation.view_run", is_government)
rules.add_perm("allocation.run", is_assessor)
rules.add_perm("allocation.allocate", is_assessor)
rules.add_perm("allocation.view_allocation",
               is_government | holds_allocation_supply | gave_allocation_pledge)
