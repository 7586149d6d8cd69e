"""Writes for recipients (needs and rounds follow in the assessment work)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ksbb.areas.models import Area
from ksbb.core.audit import audit_log
from ksbb.needs.models import Recipient


def recipients_ensure_for_rws(*, by: Any) -> int:
    """Every RW is a recipient: create the missing ones; returns how many were created."""
    with transaction.atomic():
        missing = Area.objects.filter(level=Area.Level.RW).exclude(
            recipients__kind=Recipient.Kind.RW
        ).select_related("parent")
        new = [
            Recipient(kind=Recipient.Kind.RW, area=rw,
                      name=f"{rw.name}, {rw.parent.name if rw.parent else ''}".strip(", "),
                      residents=rw.population, is_verified=True)
            for rw in missing
        ]
        Recipient.objects.bulk_create(new, batch_size=2000)
        if new:
            audit_log(actor=by, action="recipients.rws_registered",
                      object_type="needs.recipient", object_id="rw",
                      after={"created": len(new)})
    return len(new)
