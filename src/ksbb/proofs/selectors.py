"""Reads: what the platform publishes for anyone to check (keys, checkpoints, digests,
proofs, a BAST's signature with its audit entry)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from ksbb.core.models import AuditEntry
from ksbb.distribution.selectors import handover_by_code, handover_successor
from ksbb.proofs import tree
from ksbb.proofs.models import Checkpoint, HandoverSeal, SigningKey
from ksbb.verify.merkle import consistency_path, inclusion_path

# Digests per request of the leaves endpoint (about 70 bytes each in JSON): a million
# entries are two hundred requests, within the anonymous rate limit's minute or so.
MAX_LEAVES = 5000


def keys_document() -> dict[str, Any]:
    """``/.well-known/ksbb-keys.json``: every key the platform has signed with."""
    return {
        "origin": settings.KSBB_PUBLIC_URL.rstrip("/"),
        "keys": [
            {"key_id": k.key_id, "algorithm": k.algorithm, "public_key": k.public_key,
             "created": k.created_at.isoformat(),
             "retired": k.retired_at.isoformat() if k.retired_at else None}
            for k in SigningKey.objects.order_by("created_at", "pk")
        ],
    }


def checkpoints() -> QuerySet[Checkpoint]:
    return Checkpoint.objects.order_by("-pk")


def checkpoint_latest() -> Checkpoint | None:
    return checkpoints().first()


def checkpoint_as_dict(cp: Checkpoint) -> dict[str, Any]:
    return {"size": cp.size, "root": cp.root_hash, "time": cp.made_at.isoformat(),
            "key_id": cp.key_id, "body": cp.body, "signature": cp.signature}


def leaves(start: int, end: int) -> list[str]:
    return tree.digests(start, end)


def consistency(first: int, second: int) -> list[str]:
    log = tree.LogTree(second)
    return [h.hex() for h in consistency_path(first, second, log.mth)]


def inclusion(index: int, size: int) -> list[str]:
    log = tree.LogTree(size)
    return [h.hex() for h in inclusion_path(index, size, log.mth)]


def entry_disclosure(entry: AuditEntry) -> dict[str, Any]:
    """Every field that the entry's hash covers, written as the hash formula reads them, so
    that anyone can recompute it (used only for entries that hold no personal data)."""
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "prev": entry.prev_hash,
        "hash": entry.hash,
    }


def handover_proof(code: str) -> dict[str, Any] | None:
    """A signed BAST's signature, its audit entry in full (it holds the public statement
    only), its content and whether a correction superseded it; None if unknown."""
    handover = handover_by_code(code)
    if handover is None:
        return None
    seal = HandoverSeal.objects.filter(handover=handover).first()
    if seal is None:
        return None
    entry = AuditEntry.objects.filter(seq=seal.audit_seq).first()
    successor = handover_successor(handover)
    return {
        "code": handover.code,
        "number": handover.number,
        "statement": seal.statement,
        "signature": seal.signature,
        "key_id": seal.key_id,
        "fingerprint": handover.fingerprint,
        "content": handover.content,
        "superseded_by": ({"number": successor.number, "code": successor.code}
                          if successor else None),
        "entry": entry_disclosure(entry) if entry else None,
    }
