"""Issue 17, point 4: someone who controls the server changes an audit entry or a signed
BAST directly in the database and recomputes every hash (the chain, the Merkle tree, the
checkpoints, even the BAST's signature, with the server's own key). The server's own check
(`ksbb audit verify`) is satisfied; the standalone verifier holding an earlier checkpoint
is not. On PostgreSQL the attacker first disables the audit table's append-only trigger,
as a database superuser could."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection

from ksbb.core.audit import GENESIS_HASH, audit_log, audit_verify, entry_hash
from ksbb.core.models import AuditEntry
from ksbb.distribution.models import Handover
from ksbb.proofs import keys
from ksbb.proofs.models import Checkpoint, HandoverSeal, TreeNode
from ksbb.proofs.services import checkpoint_make
from ksbb.verify.client import Report
from ksbb.verify.statements import b64url, bast_statement, canonical_bytes, fingerprint_of
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db


def _sql(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER ksbb_audit_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER ksbb_audit_append_only")


def rewrite_audit_entry(seq: int, after: Any) -> None:
    """Change one entry's content and recompute the hash chain from it to the end, then
    rebuild the Merkle tree and re-sign fresh checkpoints, dropping the old ones."""
    _sql("UPDATE core_auditentry SET after = %s WHERE seq = %s", [json.dumps(after), seq])
    prev = AuditEntry.objects.filter(seq=seq - 1).values_list("hash", flat=True).first()
    prev = prev or GENESIS_HASH
    for e in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        digest = entry_hash(seq=e.seq, at=e.at, actor_label=e.actor_label, action=e.action,
                            object_type=e.object_type, object_id=e.object_id,
                            object_repr=e.object_repr, before=e.before, after=e.after,
                            prev_hash=prev)
        _sql("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s",
             [prev, digest, e.seq])
        prev = digest
    TreeNode.objects.all().delete()
    Checkpoint.objects.all().delete()
    checkpoint_make(force=True)
    assert audit_verify().ok  # the server's own check sees nothing wrong


def write(n: int) -> None:
    for i in range(n):
        audit_log(actor=SETUP, action="test.event", object_type="test", object_id=str(i),
                  after={"i": i})


def test_a_rewritten_audit_entry_is_detected(verifier_for):
    write(12)
    checkpoint_make()
    report = Report()
    assert verifier_for().update(report) and report.ok, report.problems
    write(5)
    checkpoint_make()
    report = Report()
    assert verifier_for().update(report) and report.ok, report.problems  # grew: fine

    rewrite_audit_entry(3, {"i": "forged"})
    write(2)
    checkpoint_make()
    report = Report()
    assert verifier_for().update(report) is None
    assert any("the log was rewritten" in p for p in report.problems), report.problems
    report = Report()
    verifier_for().audit(report)
    assert not report.ok


def test_a_rewritten_bast_is_detected(signed, verifier_for):
    checkpoint_make()
    report = Report()
    verifier_for().bast(report, code=signed.code)
    assert report.ok and report.verdict == "valid", report.problems
    paper_qr = signed.seal.statement  # what the printed QR code says

    # 40 packages become 30: content, fingerprint, signature and its audit entry, all
    # consistent again, signed with the server's own key.
    content = dict(signed.content)
    content["lines"] = [dict(line, quantity=30) for line in content["lines"]]
    fingerprint = fingerprint_of(content)
    Handover.objects.filter(pk=signed.pk).update(content=content, fingerprint=fingerprint)
    signer = keys.current_signer()
    statement = canonical_bytes(bast_statement(code=signed.code, content=content,
                                               fingerprint=fingerprint,
                                               key_id=signer.key_id))
    signature = b64url(signer.sign(statement))
    seal = HandoverSeal.objects.get(handover=signed)
    HandoverSeal.objects.filter(pk=seal.pk).update(statement=statement.decode(),
                                                   signature=signature)
    rewrite_audit_entry(seal.audit_seq, {"statement": statement.decode(),
                                         "signature": signature, "key": signer.key_id})

    report = Report()
    verifier_for().bast(report, code=signed.code)
    assert not report.ok, report.notes
    assert any("the log was rewritten" in p for p in report.problems), report.problems
    assert any(f"entry #{seal.audit_seq} is not in the checkpoint" in p
               for p in report.problems), report.problems
    # A fresh verifier with no saved checkpoint is fooled (nothing to compare with) ...
    assert "30" in json.dumps(json.loads(statement)["i"])
    # ... but not the paper: the printed QR code's statement differs from the site's.
    from ksbb.distribution.pdf import verify_url
    from ksbb.verify.statements import qr_text, unb64url

    old_qr = qr_text(verify_url=verify_url(signed.code), statement=paper_qr.encode(),
                     signature=unb64url(HandoverSeal.objects.get(pk=seal.pk).signature))
    report = Report()
    verifier_for().bast(report, qr=old_qr)
    assert not report.ok
