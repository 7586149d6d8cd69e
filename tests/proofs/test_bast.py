"""Signed handover reports: the seal, the QR code on the PDF, key rotation, and the
standalone verifier's checks of a BAST."""

from __future__ import annotations

import json

import pytest

from ksbb.core.domain import SystemActor
from ksbb.distribution.pdf import BastPdfRenderer, verify_url
from ksbb.proofs.models import HandoverSeal, SigningKey
from ksbb.proofs.services import checkpoint_make, key_rotate
from ksbb.verify.client import Report
from ksbb.verify.statements import (
    b64url,
    fingerprint_of,
    parse_qr,
    qr_text,
    read_statement,
    unb64url,
    verify_ed25519,
)

pytestmark = pytest.mark.django_db


def qr_of_pdf(pdf: bytes) -> tuple[str, int]:
    """The QR code's text and version, read from the rendered page as a phone would."""
    import pypdfium2
    import zxingcpp

    image = pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code on the page"
    import segno

    text = str(found[0].text)
    return text, int(segno.make(text, error="m", micro=False).version)


def test_signing_seals_the_statement(signed):
    seal = HandoverSeal.objects.get(handover=signed)
    data = read_statement(seal.statement.encode())
    assert data["n"] == signed.number and data["c"] == signed.code
    assert data["f"] == signed.fingerprint == fingerprint_of(signed.content)
    assert data["i"] == [["Paket sembako", 40, "paket"]]
    key = SigningKey.objects.get(key_id=seal.key_id)
    assert verify_ed25519(unb64url(key.public_key), seal.statement.encode(),
                          unb64url(seal.signature))
    entry = signed.seal.audit_seq
    from ksbb.core.models import AuditEntry

    assert AuditEntry.objects.get(seq=entry).action == "handover.sealed"


def test_pdf_qr_carries_the_signed_statement(signed):
    pdf = BastPdfRenderer(signed).render()
    text, version = qr_of_pdf(pdf)
    assert text.startswith(verify_url(signed.code) + "#p=")
    statement, signature = parse_qr(text)
    assert statement.decode() == signed.seal.statement
    assert signature == unb64url(signed.seal.signature)
    # Scannable: at most version 20 (97 modules) in 48 mm, about 0.5 mm a module.
    assert len(text) < 700 and version <= 20


def test_key_file_is_private_and_rotation_keeps_old_signatures_valid(
        signed, settings, verifier_for):
    key_file = settings.DATA_DIR / "signing_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    old_seal = signed.seal
    old_text = qr_text(verify_url=verify_url(signed.code),
                       statement=old_seal.statement.encode(),
                       signature=unb64url(old_seal.signature))
    old, new = key_rotate(by=SystemActor("test"))
    assert old == old_seal.key_id and new != old
    assert key_file.stat().st_mode & 0o777 == 0o600
    keys = {k.key_id: k for k in SigningKey.objects.all()}
    assert keys[old].retired_at is not None and keys[new].retired_at is None
    verifier = verifier_for()
    report = Report()
    verifier.bast(report, qr=old_text)
    assert report.ok and report.verdict == "valid", report.problems
    # And what is signed now uses the new key.
    assert checkpoint_make(force=True).key_id == new


def test_environment_key(signed, monkeypatch, settings):
    import base64
    import os

    monkeypatch.setenv("KSBB_SIGNING_KEY", base64.b64encode(os.urandom(32)).decode())
    cp = checkpoint_make(force=True)
    assert cp.key_id != signed.seal.key_id
    assert SigningKey.objects.get(key_id=signed.seal.key_id).retired_at is not None
    from ksbb.core.env import EnvError

    with pytest.raises(EnvError):
        key_rotate(by=SystemActor("test"))
    monkeypatch.setenv("KSBB_SIGNING_KEY", "too-short")
    with pytest.raises(EnvError, match="KSBB_SIGNING_KEY"):
        checkpoint_make(force=True)


def test_verifier_offline_valid_tampered_and_unknown_key(signed, verifier_for):
    seal = signed.seal
    text = qr_text(verify_url=verify_url(signed.code), statement=seal.statement.encode(),
                   signature=unb64url(seal.signature))
    verifier_for().refresh_keys(Report())  # keys learnt while online ...
    offline = verifier_for(offline=True)  # ... used offline
    report = Report()
    offline.bast(report, qr=text, offline=True)
    assert report.ok and report.verdict == "valid", report.problems
    # A changed quantity, re-encoded canonically: the signature no longer matches.
    data = json.loads(seal.statement)
    data["i"][0][1] = 400
    forged = json.dumps(data, sort_keys=True, separators=(",", ":"),
                        ensure_ascii=False).encode()
    report = Report()
    offline.bast(report, qr=f"{verify_url(signed.code)}#p={b64url(forged)}."
                            f"{b64url(unb64url(seal.signature))}", offline=True)
    assert not report.ok and report.verdict == "invalid"
    # Signed by a key the verifier never saw.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data["k"] = "0123456789abcdef"
    other = json.dumps(data, sort_keys=True, separators=(",", ":"),
                       ensure_ascii=False).encode()
    report = Report()
    offline.bast(report, qr=f"{verify_url(signed.code)}#p={b64url(other)}."
                            f"{b64url(Ed25519PrivateKey.generate().sign(other))}",
                 offline=True)
    assert not report.ok and report.verdict == "unknown key"


def test_verifier_online_proves_inclusion(signed, verifier_for, client):
    checkpoint_make()
    report = Report()
    verifier_for().bast(report, code=signed.code)
    assert report.ok and report.verdict == "valid", report.problems
    assert any("is in the log" in n for n in report.notes), report.notes
    proof = client.get(f"/api/v1/proofs/handovers/{signed.code}/").json()
    assert proof["superseded_by"] is None and proof["entry"]["action"] == "handover.sealed"


def test_seal_missing_signs_older_basts(signed, capsys):
    from django.core.management import call_command

    HandoverSeal.objects.filter(handover=signed).delete()
    call_command("proofs", "seal-missing")
    assert "signed 1 handover report(s)" in capsys.readouterr().out
    assert HandoverSeal.objects.filter(handover=signed).exists()
    call_command("proofs", "seal-missing")
    assert "signed 0 handover report(s)" in capsys.readouterr().out


def test_superseded_bast_is_reported(signed, cast, verifier_for, client):
    from django.utils import timezone

    from ksbb.distribution.services import handover_create
    from tests.distribution.conftest import sign_all

    line = signed.delivery.lines.get()
    new = sign_all(cast, handover_create(
        delivery=signed.delivery, date=timezone.localdate(), lines={line.pk: 39},
        address="Balai warga", supersedes=signed, correction_reason="one damaged",
        by=cast.executor))
    checkpoint_make()
    report = Report()
    verifier_for().bast(report, code=signed.code)
    assert report.ok and report.verdict == "superseded", report.problems
    assert any(new.number in n for n in report.notes)
    new_seal = HandoverSeal.objects.get(handover=new)
    assert read_statement(new_seal.statement.encode())["x"] == signed.number
    body = client.get(f"/verify/{signed.code}/").content.decode()
    assert new_seal.key_id in body and "/verify/scan/" in body
