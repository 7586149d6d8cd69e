"""The platform's Ed25519 signing key.

Either ``KSBB_SIGNING_KEY`` (the 32-byte private key, base64 or base64url) or a PEM file
``<data folder>/signing_key`` made on first use with owner-only permissions, like Django's
secret key. Its public half is recorded in SigningKey the first time it signs; a key that
is replaced (rotated, or a new KSBB_SIGNING_KEY) is marked retired and stays published.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ksbb.core.env import EnvError, env_ed25519_seed
from ksbb.proofs.models import SigningKey
from ksbb.verify.statements import b64url, key_id_of

ENV_NAME = "KSBB_SIGNING_KEY"


@dataclass(frozen=True)
class Signer:
    key_id: str
    private_key: Ed25519PrivateKey

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "signing_key"


def _from_env() -> Ed25519PrivateKey | None:
    seed = env_ed25519_seed(ENV_NAME)
    return None if seed is None else Ed25519PrivateKey.from_private_bytes(seed)


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write_new(path: Path, key: Ed25519PrivateKey, *, replace: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    target = path.with_name(path.name + ".new") if replace else path
    # Owner-only from the first byte; O_EXCL: two processes starting at once do not
    # overwrite each other's key (the loser reads the winner's).
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(_pem(key))
    if replace:
        os.replace(target, path)


def _load_private() -> Ed25519PrivateKey:
    from_env = _from_env()
    if from_env is not None:
        return from_env
    path = key_file()
    if not path.exists():
        # Another process may have made it first: then that key is the one.
        with contextlib.suppress(FileExistsError):
            _write_new(path, Ed25519PrivateKey.generate(), replace=False)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise EnvError(f"{path} does not hold an Ed25519 private key")
    return key


def _register(signer: Signer) -> None:
    """Publish the key's public half and retire whichever key signed before it."""
    if SigningKey.objects.filter(key_id=signer.key_id, retired_at=None).exists():
        return
    with transaction.atomic():
        now = timezone.now()
        SigningKey.objects.exclude(key_id=signer.key_id).filter(retired_at=None).update(
            retired_at=now)
        _key, created = SigningKey.objects.get_or_create(key_id=signer.key_id, defaults={
            "public_key": b64url(signer.public_bytes), "created_at": now})
        if not created:  # an earlier key brought back through the environment
            SigningKey.objects.filter(key_id=signer.key_id).update(retired_at=None)


def current_signer() -> Signer:
    """The key to sign with now, published before it is first used."""
    key = _load_private()
    public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
    signer = Signer(key_id=key_id_of(public), private_key=key)
    _register(signer)
    return signer


def rotate() -> tuple[str | None, Signer]:
    """A new key replaces the key file; the old public key stays published (retired).
    The old private key is not kept: nothing needs it, and a key that no longer exists
    cannot leak. Returns the retired key's id (None if there was none) and the new signer.
    """
    if os.environ.get(ENV_NAME):
        raise EnvError(f"the signing key comes from {ENV_NAME}: set a new value there "
                       "to rotate it")
    path = key_file()
    old = current_signer().key_id if path.exists() else None
    new_key = Ed25519PrivateKey.generate()
    _write_new(path, new_key, replace=True)
    signer = current_signer()
    return old, signer
