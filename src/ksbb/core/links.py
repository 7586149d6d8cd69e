"""Absolute links for what leaves the site: PDFs, QR codes, e-mails.

They point at ``KSBB_PUBLIC_URL`` when the operator set it (production: the address the
public reaches through the proxy); otherwise ``ksbb up`` sets it from the host and port it
serves on, so that a BAST printed from ``ksbb up --port 18771`` links to port 18771."""

from __future__ import annotations

import socket

from django.conf import settings


def public_base_url() -> str:
    return str(settings.KSBB_PUBLIC_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse()``, starting with a slash) on the public address."""
    return public_base_url() + path


def served_url(host: str, port: int) -> str:
    """The address a browser on another machine would use for ``ksbb up --host/--port``:
    a wildcard bind (0.0.0.0, ::) is reached through the machine's name."""
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104 (naming the bind, not binding)
        host = socket.gethostname()
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}"
