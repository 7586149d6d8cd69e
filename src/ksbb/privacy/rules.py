"""Who may see personal data in full, and who may export or erase their own account.

Masked values are shown to everyone else who may see the record; see docs/privacy.md."""

from __future__ import annotations

from typing import Any

import rules

from ksbb.accounts.models import Role
from ksbb.accounts.selectors import scope_of
from ksbb.donations.rules import is_collaborator_of_pledge, is_staff_of_pledge_aggregator


@rules.predicate
def only_collaborator_roles(user: Any) -> bool:
    """Accounts whose names appear on official records (staff of aggregators, executors,
    the government, recipients' representatives, administrators) are closed by an
    administrator instead, so that those records keep naming who acted."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return False
    return scope_of(user).roles <= {Role.COLLABORATOR}


# A donor's contact (e-mail, phone) on a pledge: the donor, and the aggregator that has to
# reach them to collect the goods or the money. The NIK is never shown in full.
rules.add_perm("privacy.view_donor_contact",
               is_collaborator_of_pledge | is_staff_of_pledge_aggregator)
rules.add_perm("privacy.export_own_data", rules.is_authenticated)
rules.add_perm("privacy.erase_own_account", only_collaborator_roles)
