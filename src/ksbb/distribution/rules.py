"""Who may do what with deliveries and handover reports (see accounts/rules.py).

Services check these with ``rules.has_perm`` (not ``user.has_perm``): a superuser passes
every ``has_perm``, but only the executor's staff drive a truck and only the ketua RW signs
as receiver.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from ksbb.accounts.models import Role
from ksbb.accounts.rules import (
    is_aggregator_staff,
    is_assessor,
    is_executor_staff,
    is_government,
    is_kelurahan_officer,
    is_platform_admin,
    is_recipient_representative,
)
from ksbb.accounts.selectors import area_in_officer_scope, scope_of


def _org_ids(user: Any, role: str) -> set[int]:
    return {org for org, r in scope_of(user).org_roles if r == role}


def _delivery(obj: Any) -> Any:
    """A delivery, or the delivery of a handover."""
    return getattr(obj, "delivery", obj)


@rules.predicate
def is_staff_of_delivery_executor(user: Any, obj: Any) -> bool:
    delivery = _delivery(obj)
    return delivery is not None and delivery.executor_id in _org_ids(
        user, Role.EXECUTOR_STAFF)


@rules.predicate
def is_staff_of_delivery_aggregator(user: Any, obj: Any) -> bool:
    delivery = _delivery(obj)
    ids = _org_ids(user, Role.AGGREGATOR_STAFF)
    if delivery is None or not ids:
        return False
    return delivery.lines.filter(Q(allocation__pledge__aggregator_id__in=ids)
                                 | Q(allocation__purchase__aggregator_id__in=ids)).exists()


@rules.predicate
def is_officer_of_delivery_village(user: Any, obj: Any) -> bool:
    delivery = _delivery(obj)
    return (delivery is not None and Role.KELURAHAN_OFFICER in scope_of(user).roles
            and area_in_officer_scope(user, delivery.recipient.area_id))


@rules.predicate
def represents_delivery_recipient(user: Any, obj: Any) -> bool:
    delivery = _delivery(obj)
    return delivery is not None and delivery.recipient_id in scope_of(user).recipient_ids


is_scheduler = is_assessor | is_staff_of_delivery_aggregator

# Pages.
rules.add_perm("distribution.access_deliveries",
               is_platform_admin | is_assessor | is_aggregator_staff | is_executor_staff
               | is_kelurahan_officer | is_recipient_representative)
rules.add_perm("distribution.schedule_delivery", is_assessor | is_aggregator_staff)

# Records.
_viewer = (is_government | is_staff_of_delivery_executor | is_staff_of_delivery_aggregator
           | is_officer_of_delivery_village | represents_delivery_recipient)
rules.add_perm("distribution.view_delivery", _viewer)
rules.add_perm("distribution.operate_delivery", is_staff_of_delivery_executor)
rules.add_perm("distribution.cancel_delivery", is_scheduler | is_staff_of_delivery_executor)
rules.add_perm("distribution.verify_delivery", is_assessor | is_officer_of_delivery_village)
rules.add_perm("distribution.view_handover", _viewer)
rules.add_perm("distribution.create_handover", is_staff_of_delivery_executor)
rules.add_perm("distribution.confirm_handover_giver", is_staff_of_delivery_executor)
rules.add_perm("distribution.confirm_handover_receiver", represents_delivery_recipient)
rules.add_perm("distribution.confirm_handover_witness", is_officer_of_delivery_village)
rules.add_perm("distribution.accept_handover_paper",
               is_assessor | is_officer_of_delivery_village)
