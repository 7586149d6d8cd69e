"""``ksbb check --deploy``: the public address for links, and what a multi-node
installation must share.

With ``KSBB_NODES`` above 1 (several machines serve one KSBB), everything a request or a
task may need from another node has to live in a shared service: records in PostgreSQL,
the cache (sessions' lockouts, rate limits, one-time challenges, cached figures) in Redis,
uploaded files in object storage, and one secret key for signing."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from ksbb.core.storage import is_object_storage


def _nodes() -> int:
    return int(getattr(settings, "KSBB_NODES", 1))


@register(Tags.security, deploy=True)
def public_url_setting(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Links that leave the site (BAST QR codes, e-mails) must reach it from outside."""
    url = os.environ.get("KSBB_PUBLIC_URL", "")
    if not url:
        return [Warning(
            "KSBB_PUBLIC_URL is not set: QR codes on handover reports and links in e-mails "
            "point at http://127.0.0.1:8000, which nobody else can open.",
            hint="Set KSBB_PUBLIC_URL=https://your.domain (the address the public uses).",
            id="ksbb.W105")]
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [Warning(f"KSBB_PUBLIC_URL={url!r} is not an http(s) address.",
                        hint="For example https://ksbb.example.go.id", id="ksbb.W106")]
    allowed = settings.ALLOWED_HOSTS
    host = parts.hostname
    if "*" not in allowed and not any(
            host == h or (h.startswith(".") and host.endswith(h)) for h in allowed):
        return [Warning(f"KSBB_PUBLIC_URL names {host}, which is not in KSBB_ALLOWED_HOSTS: "
                        "its links would be refused.", id="ksbb.W107")]
    if settings.SESSION_COOKIE_SECURE and parts.scheme != "https":
        return [Warning("KSBB_PUBLIC_URL is plain http while KSBB_SECURE=1.",
                        hint="Use the https address.", id="ksbb.W108")]
    return []


@register(Tags.security, deploy=True)
def multi_node_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    nodes = _nodes()
    if nodes <= 1:
        return []
    found: list[CheckMessage] = []
    shared = f"KSBB_NODES={nodes}: "
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        found.append(Warning(
            shared + "the database is a SQLite file, which only one machine can use.",
            hint="Set KSBB_DATABASE_URL=postgres://... on every node.", id="ksbb.W101"))
    backend = str(settings.CACHES["default"]["BACKEND"])
    if "redis" not in backend.lower():
        found.append(Warning(
            shared + "the cache is kept per process or per machine, so rate limits, "
            "lockouts and one-time challenges hold per node only.",
            hint="Set KSBB_CACHE_URL=redis://host:6379/0 on every node.", id="ksbb.W102"))
    from django.core.files.storage import storages

    if not is_object_storage(storages["default"]):
        found.append(Warning(
            shared + "uploaded files are kept in this node's data folder; the other nodes "
            "cannot serve them.",
            hint="Set KSBB_STORAGE_URL=s3://ACCESS:SECRET@host:port/bucket on every node.",
            id="ksbb.W103"))
    if not os.environ.get("KSBB_SECRET_KEY"):
        found.append(Warning(
            shared + "the secret key was generated into this node's data folder; sessions "
            "and signed links made on one node are refused on the others.",
            hint="Set the same KSBB_SECRET_KEY on every node.", id="ksbb.W104"))
    if not os.environ.get("KSBB_HOUSEHOLD_KEY"):
        found.append(Warning(
            shared + "the key of the households' NIK and KK hashes was generated into this "
            "node's data folder; a list imported on one node is not found by the citizen "
            "check or the duplicate checks on another.",
            hint="Set the same KSBB_HOUSEHOLD_KEY (32+ random characters) on every node.",
            id="ksbb.W109"))
    if not os.environ.get("KSBB_SIGNING_KEY"):
        found.append(Warning(
            shared + "each node would make its own signing key for handover reports and "
            "checkpoints in its data folder; verifiers would see keys come and go.",
            hint="Set the same KSBB_SIGNING_KEY on every node (README, Configuration).",
            id="ksbb.W110"))
    return found
