"""Writes: sealing a signed BAST, making a checkpoint, rotating the signing key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor
from ksbb.distribution.models import Handover
from ksbb.proofs import keys, tree
from ksbb.proofs.models import Checkpoint, HandoverSeal
from ksbb.verify.statements import b64url, bast_statement, canonical_bytes, checkpoint_body

# A checkpoint is made when the log grew, and at least this often even when it did not,
# so that a verifier can tell a quiet log from a server that stopped signing.
CHECKPOINT_MAX_AGE = timedelta(hours=24)


def handover_seal(*, handover: Any, by: Actor) -> HandoverSeal:
    """Sign a just-signed BAST's statement and record the signature in the audit log, in
    the caller's transaction. The statement carries the content's fingerprint, so the
    signature covers all of the frozen content."""
    signer = keys.current_signer()
    statement = canonical_bytes(bast_statement(
        code=handover.code, content=handover.content, fingerprint=handover.fingerprint,
        key_id=signer.key_id))
    signature = b64url(signer.sign(statement))
    with transaction.atomic():
        entry = audit_log(actor=by, action="handover.sealed", obj=handover, before=None,
                          after={"statement": statement.decode("utf-8"),
                                 "signature": signature, "key": signer.key_id})
        return HandoverSeal.objects.create(
            handover=handover, key_id=signer.key_id, statement=statement.decode("utf-8"),
            signature=signature, audit_seq=entry.seq, sealed_at=entry.at)


def handovers_seal_missing(*, by: Actor) -> int:
    """Seal the signed BASTs that have no signature yet (those signed before this platform
    signed them): each in its own transaction, so that a long run holds no lock for long."""
    count = 0
    for pk in Handover.objects.filter(state=Handover.State.SIGNED, seal__isnull=True
                                      ).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            handover = Handover.objects.select_for_update().get(pk=pk)
            if HandoverSeal.objects.filter(handover=handover).exists() or not handover.content:
                continue
            handover_seal(handover=handover, by=by)
            count += 1
    return count


def checkpoint_make(*, force: bool = False) -> Checkpoint:
    """Sign the log's current size and root. Without ``force``, the latest checkpoint is
    returned instead when the log has not grown and it is younger than a day.

    No lock is held while the tree is extended (the slow part); two runs at once at worst
    make two checkpoints of the same or nearby sizes, each correct."""
    tree.extend()
    size = tree.log_size()
    latest = Checkpoint.objects.order_by("-pk").first()
    now = timezone.now()
    if (not force and latest is not None and latest.size == size
            and now - latest.made_at < CHECKPOINT_MAX_AGE):
        return latest
    root = tree.LogTree(size).root()
    signer = keys.current_signer()
    body = checkpoint_body(origin=settings.KSBB_PUBLIC_URL.rstrip("/"), size=size, root=root,
                           made_at=now, key_id=signer.key_id)
    return Checkpoint.objects.create(
        size=size, root_hash=root.hex(), made_at=now.replace(microsecond=0),
        key_id=signer.key_id, body=body.decode("utf-8"), signature=b64url(signer.sign(body)))


def key_rotate(*, by: Actor) -> tuple[str | None, str]:
    """A new signing key; the old one is retired but stays published. A checkpoint signed
    with the new key follows at once, so verifiers see it in use."""
    with transaction.atomic():
        old, signer = keys.rotate()
        audit_log(actor=by, action="proofs.key_rotated", object_type="proofs.signingkey",
                  object_id=signer.key_id, before={"key": old}, after={"key": signer.key_id})
    checkpoint_make(force=True)
    return old, signer.key_id
