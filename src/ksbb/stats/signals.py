"""Cache invalidation for the statistics, and the safety net of the rollups (see apps.py:
no business logic here).

The services keep the rollups themselves (ksbb.stats.rollups). A change that did not go
through them (admin, shell, bulk loads, fixtures) and touches what the dashboard counts marks
the rollups stale, so the next dashboard computation rebuilds them from the source tables.
"""

from __future__ import annotations

from typing import Any

from ksbb.accounts.models import Organization
from ksbb.distribution.models import Delivery, Handover
from ksbb.donations.models import (
    PLEDGE_COUNTS_AS_RECEIVED,
    CollaboratorProfile,
    Pledge,
    Purchase,
    PurchaseFunding,
)
from ksbb.needs.models import Recipient
from ksbb.stats.models import Reach, Role
from ksbb.stats.rollups import bump, is_maintained


def _counted(sender: Any, instance: Any, created: bool | None) -> bool:
    """Whether this saved or deleted row can change a figure the rollups hold."""
    if sender is Pledge:
        return instance.received_at is not None or instance.state in PLEDGE_COUNTS_AS_RECEIVED
    if sender is PurchaseFunding:
        return True
    if sender is Purchase:
        return PurchaseFunding.objects.filter(purchase_id=instance.pk).exists()
    if sender is Handover:
        return instance.state == Handover.State.SIGNED
    if sender is Delivery:  # its recipient places the BASTs in force
        return created is False and Handover.objects.filter(
            delivery_id=instance.pk, state=Handover.State.SIGNED).exists()
    return False


def invalidate_on_change(sender: Any, instance: Any = None, created: bool | None = None,
                         **kwargs: Any) -> None:
    # Runs inside the writer's transaction: the new generation commits with the change.
    bump(stale=not is_maintained() and _counted(sender, instance, created))


# Attributes the rollups are keyed by: a collaborator's area and kind, a recipient's area
# and kind. No service changes them; the admin can.

def _watched(sender: Any, instance: Any) -> tuple[Any, ...] | None:
    if sender is Organization:
        return (instance.area_id,)
    if sender is CollaboratorProfile:
        return (instance.collaborator_kind, instance.organization_id)
    return (instance.area_id, instance.kind)  # Recipient


def remember_keys(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if instance.pk is not None and not raw:
        stored = sender._default_manager.filter(pk=instance.pk).first()
        instance._stats_keys = _watched(sender, stored) if stored is not None else None


def stale_if_keys_changed(sender: Any, instance: Any, created: bool = False,
                          raw: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, "_stats_keys", None)
    if created or raw or before is None or before == _watched(sender, instance):
        return
    if sender is Recipient:
        role, entity_id = Role.RECIPIENT, instance.pk
    else:
        role = Role.COLLABORATOR
        entity_id = getattr(instance, "organization_id", instance.pk)
    if Reach.objects.filter(role=role, entity_id=entity_id).exists():
        bump(stale=True)
