"""What the platform signs, and how it is written down: canonical JSON, base64url, the
BAST statement carried by a PDF's QR code, signed checkpoints and audit entry hashes.

Standard library only (plus ``cryptography`` for Ed25519, imported where used), so that the
standalone verifier needs neither Django nor a database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

BAST_TYPE = "ksbb-bast/1"
CHECKPOINT_TYPE = "ksbb-checkpoint/1"
ALGORITHM = "Ed25519"


class BadStatement(ValueError):
    """A payload, statement or checkpoint that cannot be read."""


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text as is: one value, one byte string."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_bytes(value: Any) -> bytes:
    return canonical_json(value).encode("utf-8")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    text = text.strip()
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadStatement("not base64url") from exc


def key_id_of(public_key: bytes) -> str:
    """A key's id: the first 8 bytes of the SHA-256 of its raw 32 bytes, in hex."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def fingerprint_of(content: Any) -> str:
    """SHA-256 of a BAST's canonical content (the fingerprint printed on the PDF)."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# BAST statements.

def bast_statement(*, code: str, content: dict[str, Any], fingerprint: str,
                   key_id: str) -> dict[str, Any]:
    """The short form of a signed BAST that its QR code carries: what a person checks on
    paper (number, date, recipient, items and quantities) plus the fingerprint, which binds
    the full content (parties, place, donors) that the site shows."""
    statement: dict[str, Any] = {
        "t": BAST_TYPE,
        "c": code,
        "n": content["number"],
        "d": content["date"],
        "a": content["recipient"]["area"],
        "r": content["recipient"]["name"],
        "i": [[line["name"], line["quantity"], line["unit"]] for line in content["lines"]],
        "f": fingerprint,
        "k": key_id,
    }
    if content.get("supersedes"):
        statement["x"] = content["supersedes"]
    return statement


def read_statement(data: bytes) -> dict[str, Any]:
    """The statement from its signed bytes; refuses anything but canonical JSON of a BAST."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadStatement("the statement is not JSON") from exc
    if not isinstance(value, dict) or value.get("t") != BAST_TYPE:
        raise BadStatement("not a KSBB handover statement")
    if canonical_bytes(value) != data:
        raise BadStatement("the statement is not in canonical form")
    for field in ("c", "n", "d", "a", "r", "f", "k"):
        if not isinstance(value.get(field), str):
            raise BadStatement(f"the statement has no {field!r}")
    if not isinstance(value.get("i"), list):
        raise BadStatement("the statement has no items")
    return value


def qr_text(*, verify_url: str, statement: bytes, signature: bytes) -> str:
    """The QR code's text: the verification page's address, with the signed statement in
    the fragment (never sent to a server) for checking without a connection."""
    return f"{verify_url}#p={b64url(statement)}.{b64url(signature)}"


def parse_qr(text: str) -> tuple[bytes, bytes]:
    """(statement bytes, signature) from a QR code's text."""
    _url, _sep, fragment = text.strip().partition("#")
    params = dict(part.partition("=")[::2] for part in fragment.split("&") if part)
    packed = params.get("p", "")
    statement_b64, dot, signature_b64 = packed.partition(".")
    if not statement_b64 or not dot or not signature_b64:
        raise BadStatement("the QR code carries no signed statement")
    signature = unb64url(signature_b64)
    if len(signature) != 64:
        raise BadStatement("the signature has the wrong length")
    return unb64url(statement_b64), signature


def site_of(text: str) -> str:
    """``https://host`` of a URL (the site that issued a QR code)."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadStatement("not a web address")
    return f"{parts.scheme}://{parts.netloc}"


# Checkpoints.

def checkpoint_body(*, origin: str, size: int, root: bytes, made_at: datetime,
                    key_id: str) -> bytes:
    return canonical_bytes({
        "t": CHECKPOINT_TYPE,
        "origin": origin,
        "size": size,
        "root": root.hex(),
        "time": made_at.astimezone(UTC).isoformat(timespec="seconds"),
        "key": key_id,
    })


def read_checkpoint(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadStatement("the checkpoint is not JSON") from exc
    if not isinstance(value, dict) or value.get("t") != CHECKPOINT_TYPE:
        raise BadStatement("not a KSBB checkpoint")
    if canonical_bytes(value) != body:
        raise BadStatement("the checkpoint is not in canonical form")
    size, root = value.get("size"), value.get("root")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise BadStatement("the checkpoint has no size")
    if not isinstance(root, str) or len(root) != 64:
        raise BadStatement("the checkpoint has no root")
    try:
        bytes.fromhex(root)
    except ValueError as exc:
        raise BadStatement("the checkpoint's root is not hex") from exc
    return value


# Audit entries (the same formula as ksbb.core.audit.entry_hash, written out again so that
# the verifier does not import the server's code).

def audit_entry_hash(entry: dict[str, Any]) -> str:
    payload = {
        "seq": entry["seq"],
        "at": entry["at"],
        "actor": entry["actor"],
        "action": entry["action"],
        "object_type": entry["object_type"],
        "object_id": entry["object_id"],
        "object_repr": entry["object_repr"],
        "before": entry["before"],
        "after": entry["after"],
        "prev": entry["prev"],
    }
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()
