"""Writing and checking the audit log.

Every service calls :func:`audit_log` inside its own transaction, so that the change and
its entry are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from ksbb.core.models import AuditEntry

GENESIS_HASH = "0" * 64
# Any constant works; it only has to be the same for every writer of the chain.
_PG_LOCK_KEY = 0x4B534242


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    problem: str = ""


def _canonical(value: Any) -> Any:
    """JSON-ready and stable: the hash must not depend on dict order or types."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "before": _canonical(before),
        "after": _canonical(after),
        "prev": prev_hash,
    }
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        # A name typed in by hand is no actor: a user, or SystemActor("the command").
        raise TypeError(f"the actor {actor!r} is a string: pass a user or a SystemActor")
    if getattr(actor, "is_anonymous", False) is True:
        return "anonymous"
    # The id only: a username can be an e-mail address, and this log is never rewritten,
    # so a person's erasure (UU PDP) could not remove it. The entry's ``actor`` names them
    # for as long as the account exists.
    if getattr(actor, "get_username", None):
        return f"user:{actor.pk}"
    return str(actor)


def actor_name(entry: Any) -> str:
    """Who acted, as a person reads it: the user's name while the account exists, else the
    log's own label; "anonymous" in the reader's language."""
    from django.utils.translation import gettext

    if entry.actor is not None:
        return str(entry.actor)
    if entry.actor_label == "anonymous":
        return gettext("anonymous")
    return str(entry.actor_label)


def _lock_chain() -> None:
    # On PostgreSQL two transactions could read the same head; an advisory lock held to
    # the end of the transaction serialises writers. SQLite serialises writers already
    # (transactions begin IMMEDIATE, see settings).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry. ``actor`` is a user (anonymous: a visitor), a
    :class:`~ksbb.core.domain.SystemActor`, or None (the system); a string is refused."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = str(obj)[:300]
    else:
        object_repr = ""
    if not object_type or object_id is None:
        raise ValueError("audit_log needs obj or object_type and object_id")
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
        seq = (last["seq"] + 1) if last else 1
        prev_hash = last["hash"] if last else GENESIS_HASH
        # Microseconds are kept by both databases; the hash uses the stored value.
        at = timezone.now()
        label = _actor_label(actor)
        before_c, after_c = _canonical(before), _canonical(after)
        digest = entry_hash(
            seq=seq,
            at=at,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            before=before_c,
            after=after_c,
            prev_hash=prev_hash,
        )
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor=actor if getattr(actor, "is_authenticated", False) is True else None,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            before=before_c,
            after=after_c,
            prev_hash=prev_hash,
            hash=digest,
        )
        entry.save()
    return entry


def audit_head() -> Head:
    last = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
    if last is None:
        return Head(seq=0, hash=GENESIS_HASH)
    return Head(seq=last["seq"], hash=last["hash"])


def audit_verify(*, batch_size: int = 5000) -> VerifyResult:
    """Recompute the chain from the start; name the first entry that does not fit."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    qs = AuditEntry.objects.order_by("seq").values_list(
        "seq",
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "before",
        "after",
        "prev_hash",
        "hash",
    )
    for row in qs.iterator(chunk_size=batch_size):
        seq, at, label, action, otype, oid, orepr, before, after, stored_prev, stored = row
        if seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"entry #{expected_seq} is missing")
        if stored_prev != prev_hash:
            return VerifyResult(
                False, checked, seq, f"entry #{seq} does not point to the previous entry's hash"
            )
        digest = entry_hash(
            seq=seq,
            at=at,
            actor_label=label,
            action=action,
            object_type=otype,
            object_id=oid,
            object_repr=orepr,
            before=before,
            after=after,
            prev_hash=stored_prev,
        )
        if digest != stored:
            return VerifyResult(
                False, checked, seq, f"entry #{seq} was changed after it was written"
            )
        prev_hash = stored
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)
