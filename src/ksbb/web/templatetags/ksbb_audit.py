"""Audit log entries as a person reads them: ``{{ entry|audit_action }}`` gives the
translated label of the action, ``{{ entry|audit_object }}`` what it is about (both from
ksbb.core.audit_labels)."""

from __future__ import annotations

from typing import Any

from django import template

from ksbb.core.audit_labels import action_label, object_label

register = template.Library()


@register.filter
def audit_action(entry: Any) -> str:
    return action_label(entry.action)


@register.filter
def audit_object(entry: Any) -> str:
    return object_label(object_type=entry.object_type, object_id=entry.object_id,
                        object_repr=entry.object_repr)
