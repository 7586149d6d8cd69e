"""The vendored @noble/ed25519 (the offline verifier's fallback where the browser has no
WebCrypto Ed25519) accepts the platform's signatures and refuses a changed statement. Run
with Node.js, which loads the same ES module file the browser does."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

NOBLE = (Path(__file__).resolve().parents[2] / "src" / "ksbb" / "web" / "static" / "ksbb"
         / "vendor" / "noble-ed25519" / "index.js")


def test_noble_fallback_verifies_python_signatures():
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node on PATH")
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
    message = b'{"n":"BAST/PANGAN/2026/12/0001","t":"ksbb-bast/1"}'
    signature = key.sign(message)
    script = f"""
import {{ verifyAsync }} from {str(NOBLE.as_uri())!r};
const hex = (h) => Uint8Array.from(h.match(/../g).map((b) => parseInt(b, 16)));
const good = await verifyAsync(hex({signature.hex()!r}), hex({message.hex()!r}),
                               hex({public.hex()!r}));
const bad = await verifyAsync(hex({signature.hex()!r}), hex({(message + b" ").hex()!r}),
                              hex({public.hex()!r}));
console.log(good, bad);
"""
    out = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["true", "false"]
