"""The header's bell: ``{% unread_notifications as n %}`` (0 for anonymous visitors)."""

from __future__ import annotations

from typing import Any

from django import template

from ksbb.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
