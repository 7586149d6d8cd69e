"""A file cache that every process of one machine shares, with ``add`` and ``incr`` atomic.

Django's FileBasedCache checks and then writes, so two gunicorn workers can both "add" the
same key (a one-time challenge answered twice) or both increment a counter from the same
value (a rate limit that lets twice as many through). Here both hold an exclusive lock on
one lock file in the cache folder while they read and write: the operations are
microseconds long, so one lock for the whole cache costs nothing noticeable, and it holds
across processes (``fcntl.flock``), unlike a thread lock.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class LockedFileCache(FileBasedCache):
    # FileBasedCache's private helpers, which django-stubs does not declare.
    _dir: str

    def _createdir(self) -> None:
        super()._createdir()  # type: ignore[misc]

    def _key_to_file(self, key: str, version: int | None = None) -> str:
        return str(super()._key_to_file(key, version))  # type: ignore[misc]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._createdir()
        fd = os.open(os.path.join(self._dir, "lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:
        with self._locked():
            if self.has_key(key, version):
                return False
            self.set(key, value, timeout, version)
            return True

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        with self._locked():
            fname = self._key_to_file(key, version)
            try:
                with open(fname, "rb") as f:
                    # Our own folder (mode 700), as Django's file cache reads it.
                    expiry = pickle.load(f)  # noqa: S301
                    if expiry is not None and expiry < time.time():
                        raise ValueError(f"Key '{key}' not found")
                    value = pickle.loads(zlib.decompress(f.read()))  # noqa: S301
            except FileNotFoundError:
                raise ValueError(f"Key '{key}' not found") from None
            new = value + delta
            # The entry keeps its own expiry: a rate-limit window must not slide.
            remaining = None if expiry is None else max(expiry - time.time(), 0.001)
            self.set(key, new, remaining, version)
            return int(new)

    def _list_cache_files(self) -> list[str]:
        # The lock file is not an entry: culling or clearing must not count or remove it.
        files: list[str] = super()._list_cache_files()  # type: ignore[misc]
        return [f for f in files if not f.endswith(os.sep + "lock")]
