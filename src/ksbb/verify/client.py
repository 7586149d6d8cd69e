"""Fetching from a site, keeping what was seen in a local file, and the checks themselves.

The state file keeps, per site, the public keys and the checkpoints seen before. A later
run proves that the site's current log extends every saved checkpoint (consistency) and
that a BAST's signing entry is in the log (inclusion); a site that rewrote its log, even
with all its hashes recomputed and re-signed, cannot produce those proofs.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ksbb.verify.merkle import (
    ProofError,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from ksbb.verify.statements import (
    BadStatement,
    audit_entry_hash,
    fingerprint_of,
    key_id_of,
    parse_qr,
    read_checkpoint,
    read_statement,
    unb64url,
    verify_ed25519,
)

LEAVES_PER_REQUEST = 5000


class FetchError(Exception):
    """The site could not be reached or answered something unreadable."""


Fetch = Callable[[str], Any]


def http_fetch(site: str, *, timeout: float = 30) -> Fetch:
    """``fetch(path)`` -> parsed JSON from ``site`` + ``path`` with urllib."""
    base = site.rstrip("/")

    def fetch(path: str, *, tries: int = 5) -> Any:
        url = base + path
        # The scheme was checked below (http or https only).
        request = urllib.request.Request(  # noqa: S310
            url, headers={"Accept": "application/json", "User-Agent": "ksbb-verify/1"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            if exc.code == 429 and tries > 1:
                # The site's rate limit: wait as long as it asks (a minute at most).
                retry_after = exc.headers.get("Retry-After", "5")
                time.sleep(min(60, int(retry_after) if retry_after.isdigit() else 5))
                return fetch(path, tries=tries - 1)
            raise FetchError(f"{url}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise FetchError(f"{url}: {exc}") from exc

    if not base.startswith(("http://", "https://")):
        raise FetchError(f"{site}: not a web address")
    return fetch


@dataclass
class Report:
    """What a check found: ``problems`` empty means everything checked out."""

    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    verdict: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def note(self, text: str) -> None:
        self.notes.append(text)

    def problem(self, text: str) -> None:
        self.problems.append(text)


class State:
    """The verifier's memory, one JSON file: ``{"sites": {origin: {"keys": {...},
    "checkpoints": [...]}}}``. Written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {"sites": {}}
        if path.exists():
            self.data = json.loads(path.read_text(encoding="utf-8"))
            self.data.setdefault("sites", {})

    def site(self, origin: str) -> dict[str, Any]:
        entry: dict[str, Any] = self.data["sites"].setdefault(
            origin.rstrip("/"), {"keys": {}, "checkpoints": []})
        return entry

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".ksbb-verify-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.data, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


class Verifier:
    def __init__(self, *, origin: str, state: State, fetch: Fetch | None) -> None:
        self.origin = origin.rstrip("/")
        self.state = state
        self.fetch = fetch
        self.memory = state.site(self.origin)

    # Keys.

    def refresh_keys(self, report: Report) -> None:
        """Learn the site's published keys. A key id seen before with another public key is
        a problem (someone swapped keys); new keys are added."""
        if self.fetch is None:
            return
        document = self.fetch("/.well-known/ksbb-keys.json")
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise FetchError("the site publishes no keys")
        known = self.memory["keys"]
        for key in document["keys"]:
            kid, public = str(key.get("key_id", "")), str(key.get("public_key", ""))
            try:
                raw = unb64url(public)
            except BadStatement:
                report.problem(f"key {kid}: unreadable public key")
                continue
            if len(raw) != 32 or key_id_of(raw) != kid:
                report.problem(f"key {kid}: the id does not match the public key")
                continue
            if kid in known and known[kid]["public_key"] != public:
                report.problem(f"key {kid} was replaced by another public key")
                continue
            known[kid] = {"public_key": public, "retired": key.get("retired")}

    def _key(self, kid: str) -> bytes | None:
        key = self.memory["keys"].get(kid)
        return unb64url(key["public_key"]) if key else None

    # Checkpoints.

    def _checked_checkpoint(self, cp: Any, report: Report) -> dict[str, Any] | None:
        if not isinstance(cp, dict):
            report.problem("the site's checkpoint is unreadable")
            return None
        try:
            body = str(cp["body"]).encode("utf-8")
            parsed = read_checkpoint(body)
            signature = unb64url(str(cp["signature"]))
        except (KeyError, BadStatement) as exc:
            report.problem(f"the site's checkpoint is unreadable: {exc}")
            return None
        key = self._key(str(parsed.get("key")))
        if key is None:
            report.problem(f"checkpoint signed with an unknown key {parsed.get('key')}")
            return None
        if not verify_ed25519(key, body, signature):
            report.problem(f"checkpoint of size {parsed['size']}: the signature is invalid")
            return None
        if parsed.get("origin") != self.origin:
            report.note(f"the checkpoint names the site {parsed.get('origin')!r}")
        return {"size": parsed["size"], "root": parsed["root"], "time": parsed.get("time"),
                "key_id": parsed.get("key"), "body": cp["body"], "signature": cp["signature"]}

    def _prove_extends(self, old: dict[str, Any], new: dict[str, Any], report: Report) -> bool:
        assert self.fetch is not None
        if old["size"] > new["size"]:
            report.problem(f"the log shrank: a saved checkpoint has {old['size']} entries, "
                           f"the site's latest {new['size']}")
            return False
        answer = self.fetch(f"/api/v1/proofs/consistency/?first={old['size']}"
                            f"&second={new['size']}")
        try:
            proof = [bytes.fromhex(h) for h in answer["proof"]]
            verify_consistency(first=old["size"], second=new["size"],
                               first_root=bytes.fromhex(old["root"]),
                               second_root=bytes.fromhex(new["root"]), path=proof)
        except (ProofError, KeyError, TypeError, ValueError) as exc:
            report.problem(
                f"the log was rewritten: the checkpoint of {old['size']} entries saved on "
                f"{old.get('time')} is not a prefix of the current log ({exc})")
            return False
        return True

    def update(self, report: Report) -> dict[str, Any] | None:
        """Fetch the latest checkpoint, check its signature and that it extends every saved
        checkpoint, and save it. Returns it when trusted."""
        if self.fetch is None:
            raise FetchError("offline: nothing to update")
        self.refresh_keys(report)
        answer = self.fetch("/api/v1/proofs/checkpoints/latest/")
        if answer is None:
            report.problem("the site has made no checkpoint yet")
            return None
        latest = self._checked_checkpoint(answer, report)
        if latest is None:
            return None
        saved = self.memory["checkpoints"]
        good = True
        for old in sorted({(c["size"], c["root"]): c for c in saved}.values(),
                          key=lambda c: c["size"]):
            good = self._prove_extends(old, latest, report) and good
        if not good:
            return None
        if not any(c["size"] == latest["size"] and c["root"] == latest["root"]
                   for c in saved):
            saved.append(latest)
        report.note(f"checkpoint: {latest['size']} entries, root {latest['root']}, signed "
                    f"{latest['time']} with key {latest['key_id']}; consistent with "
                    f"{len(saved) - 1} saved before")
        return latest

    def audit(self, report: Report) -> None:
        """Download every digest up to the latest trusted checkpoint and recompute the roots
        of all saved checkpoints from them (what the consistency proofs vouch for, done the
        long way)."""
        latest = self.update(report)
        if latest is None or self.fetch is None:
            return
        leaves: list[bytes] = []
        while len(leaves) < latest["size"]:
            end = min(len(leaves) + LEAVES_PER_REQUEST, latest["size"])
            answer = self.fetch(f"/api/v1/proofs/leaves/?start={len(leaves)}&end={end}")
            digests = answer.get("digests") if isinstance(answer, dict) else None
            if not isinstance(digests, list) or len(digests) != end - len(leaves):
                report.problem(f"the site did not give leaves {len(leaves)} to {end}")
                return
            leaves.extend(leaf_hash(bytes.fromhex(d)) for d in digests)
        for cp in self.memory["checkpoints"]:
            if cp["size"] <= len(leaves) and root_of(leaves[:cp["size"]]).hex() != cp["root"]:
                report.problem(f"the digests published now do not give the root of the "
                               f"checkpoint of {cp['size']} entries ({cp.get('time')})")
        report.note(f"recomputed the tree of {len(leaves)} digests")

    # Handover reports (BAST).

    def bast(self, report: Report, *, code: str | None = None, qr: str | None = None,
             offline: bool = False) -> None:
        statement: bytes | None = None
        signature: bytes | None = None
        if qr:
            try:
                statement, signature = parse_qr(qr)
            except BadStatement as exc:
                report.problem(f"QR code: {exc}")
                report.verdict = "invalid"
                return
        online = self.fetch is not None and not offline
        latest = self.update(report) if online else None
        proof = None
        if online:
            assert self.fetch is not None
            if code is None and statement is not None:
                try:
                    code = str(json.loads(statement)["c"])
                except (ValueError, KeyError, TypeError):
                    code = None
            if code:
                proof = self.fetch(f"/api/v1/proofs/handovers/{urllib.parse.quote(code)}/")
                if proof is None:
                    report.problem(f"the site knows no signed BAST with the code {code}")
            if isinstance(proof, dict) and statement is None:
                statement = str(proof["statement"]).encode("utf-8")
                signature = unb64url(str(proof["signature"]))
        if statement is None or signature is None:
            report.problem("no signed statement to check (give the QR code's text or a code)")
            report.verdict = "invalid"
            return
        data = self._signature(report, statement, signature)
        if data is None:
            return
        report.note(f"BAST {data['n']} of {data['d']}: {data['r']} ({data['a']}); "
                    + "; ".join(f"{name} {qty} {unit}" for name, qty, unit in data["i"]))
        if isinstance(proof, dict):
            self._online_checks(report, data, statement, signature, proof, latest)

    def _signature(self, report: Report, statement: bytes,
                   signature: bytes) -> dict[str, Any] | None:
        try:
            data = read_statement(statement)
        except BadStatement as exc:
            report.problem(f"statement: {exc}")
            report.verdict = "invalid"
            return None
        key = self._key(data["k"])
        if key is None:
            report.problem(f"signed with key {data['k']}, which this verifier does not know")
            report.verdict = "unknown key"
            return None
        if not verify_ed25519(key, statement, signature):
            report.problem("the signature does not match the statement: it was changed")
            report.verdict = "invalid"
            return None
        report.verdict = "valid"
        report.note(f"signature valid (key {data['k']})")
        return data

    def _online_checks(self, report: Report, data: dict[str, Any], statement: bytes,
                       signature: bytes, proof: dict[str, Any],
                       latest: dict[str, Any] | None) -> None:
        if str(proof.get("statement", "")).encode("utf-8") != statement:
            report.problem("the site now shows a different statement for this BAST")
        content = proof.get("content")
        if fingerprint_of(content) != data["f"]:
            report.problem("the content the site shows does not match the signed "
                           "fingerprint")
        successor = proof.get("superseded_by")
        if successor:
            report.note(f"superseded by BAST {successor.get('number')} "
                        f"(code {successor.get('code')})")
            report.verdict = "superseded"
        entry = proof.get("entry")
        if not isinstance(entry, dict):
            report.problem("the site gives no audit entry for this BAST's signature")
            return
        try:
            digest = audit_entry_hash(entry)
        except KeyError as exc:
            report.problem(f"the audit entry lacks {exc}")
            return
        after = entry.get("after") or {}
        if digest != entry.get("hash"):
            report.problem("the audit entry's hash does not match its fields")
        if (entry.get("action") != "handover.sealed"
                or after.get("statement") != statement.decode("utf-8")
                or unb64url(str(after.get("signature", ""))) != signature):
            report.problem("the audit entry does not record this signature")
        seq = int(entry["seq"])
        if latest is None:
            # The site's latest checkpoint is not trusted: prove against a saved one.
            covering = [c for c in self.memory["checkpoints"] if c["size"] >= seq]
            if not covering:
                report.problem("no trusted checkpoint to prove the entry's inclusion")
                return
            latest = max(covering, key=lambda c: c["size"])
        if seq > latest["size"]:
            report.note(f"entry #{seq} is newer than the latest checkpoint "
                        f"({latest['size']} entries): check again after the next one")
            return
        assert self.fetch is not None
        answer = self.fetch(f"/api/v1/proofs/inclusion/?index={seq - 1}&size={latest['size']}")
        try:
            path = [bytes.fromhex(h) for h in answer["proof"]]
            verify_inclusion(leaf=leaf_hash(bytes.fromhex(digest)), index=seq - 1,
                             size=latest["size"], path=path,
                             root=bytes.fromhex(latest["root"]))
        except (ProofError, KeyError, TypeError, ValueError) as exc:
            report.problem(f"entry #{seq} is not in the checkpoint of {latest['size']} "
                           f"entries: the log was changed ({exc})")
            return
        report.note(f"its signing entry #{seq} is in the log (checkpoint of "
                    f"{latest['size']} entries)")
