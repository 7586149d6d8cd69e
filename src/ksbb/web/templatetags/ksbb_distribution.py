"""Deliveries and handover reports on pages other apps own (field home, recipient page,
pledge trail): ``{% load ksbb_distribution %}``."""

from __future__ import annotations

from typing import Any

from django import template

from ksbb.distribution.selectors import (
    deliveries_for_recipient,
    deliveries_visible_to,
)
from ksbb.distribution.selectors import handovers_for_pledge as _handovers_for_pledge

register = template.Library()


@register.simple_tag
def deliveries_for_user(user: Any, limit: int = 20) -> list[Any]:
    """The latest deliveries the user may see (executor, officer, representative...)."""
    return list(deliveries_visible_to(user).order_by("-scheduled_for", "-pk")[:limit])


@register.simple_tag
def recipient_deliveries(recipient: Any, limit: int = 50) -> list[Any]:
    return list(deliveries_for_recipient(recipient).order_by("-scheduled_for", "-pk")[:limit])


@register.simple_tag
def handovers_for_pledge(pledge: Any) -> list[dict[str, Any]]:
    return _handovers_for_pledge(pledge)
