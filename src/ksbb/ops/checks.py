"""``ksbb check --deploy``: what a multi-node installation must share.

With ``KSBB_NODES`` above 1 (several machines serve one KSBB), everything a request or a
task may need from another node has to live in a shared service: records in PostgreSQL,
the cache (sessions' lockouts, rate limits, one-time challenges, cached figures) in Redis,
uploaded files in object storage, and one secret key for signing."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from ksbb.core.storage import is_object_storage


def _nodes() -> int:
    return int(getattr(settings, "KSBB_NODES", 1))


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
    return found
