"""Typed readers for the environment.

Settings come only from ``KSBB_*`` variables. A value that cannot be understood stops the
process with a message naming the variable, rather than falling back to something the
operator did not ask for.
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(Exception):
    """A KSBB_* variable is set to something unusable."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise EnvError(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    path = Path(raw).expanduser() if raw else default
    path = path.resolve()
    if path.exists() and not path.is_dir():
        raise EnvError(f"{name}={str(path)!r} exists but is not a directory")
    return path


def env_time_zone(name: str, default: str) -> str:
    value = os.environ.get(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise EnvError(f"{name}={value!r} is not an IANA time zone such as Asia/Jakarta") from None
    return value


def env_database_url(name: str, default: str) -> str:
    value = os.environ.get(name) or default
    scheme = value.split(":", 1)[0].lower()
    allowed = {"sqlite", "postgres", "postgresql", "pgsql", "postgis"}
    if "://" not in value or scheme not in allowed:
        raise EnvError(
            f"{name}={value!r} is not a database URL: use postgres://user@host:5432/name "
            "or sqlite:////absolute/path/ksbb.sqlite3"
        )
    return value


def env_cache(name: str, default: str) -> dict[str, object]:
    """The default cache from a URL: ``file:///absolute/folder`` (shared by the processes of
    one machine), ``redis://host:6379/0`` (shared by every machine) or ``locmem://`` (one
    process only: rate limits and one-time challenges would hold per worker)."""
    value = os.environ.get(name) or default
    scheme, sep, rest = value.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": rest or "ksbb"}
    if sep and scheme in {"redis", "rediss"} and rest:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value,
                "KEY_PREFIX": "ksbb"}
    if sep and scheme == "file" and rest.startswith("/"):
        # Atomic add/incr across processes (ksbb.core.cache); rate-limit counters must not be
        # culled at Django's default of 300 entries.
        return {"BACKEND": "ksbb.core.cache.LockedFileCache", "LOCATION": rest,
                "OPTIONS": {"MAX_ENTRIES": 50_000}}
    raise EnvError(
        f"{name}={value!r} is not a cache URL: use locmem://, redis://host:6379/0 "
        "or file:///absolute/folder"
    )


def env_storage(name: str) -> dict[str, object]:
    """Where uploaded files go: the data folder by default, or S3-compatible object storage
    from ``s3://ACCESS:SECRET@host:port/bucket?region=...&secure=1`` (``secure=0`` for plain
    HTTP, e.g. a gateway on the loopback). The bucket stays private: files are streamed
    through the views that check permission, never linked to the bucket."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        # MEDIA_ROOT, read when used (tests point it at a temporary folder).
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(raw)
    bucket = parts.path.strip("/")
    query = dict(parse_qsl(parts.query))
    if (parts.scheme.lower() != "s3" or not parts.hostname or not bucket or "/" in bucket
            or not parts.username or not parts.password):
        raise EnvError(
            f"{name} is not an object storage URL: use "
            "s3://ACCESS_KEY:SECRET_KEY@host:port/bucket?region=REGION"
        )
    secure = query.get("secure", "1").lower()
    if secure not in _TRUE | _FALSE:
        raise EnvError(f"{name}: secure={secure!r} must be 1 or 0")
    scheme = "https" if secure in _TRUE else "http"
    try:
        port = parts.port
    except ValueError:
        raise EnvError(f"{name}: the port is not a number") from None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    endpoint = f"{scheme}://{host}" + (f":{port}" if port else "")
    return {
        "BACKEND": "ksbb.core.s3.PrivateS3Storage",
        "OPTIONS": {
            "access_key": unquote(parts.username),
            "secret_key": unquote(parts.password),
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": query.get("region", "us-east-1"),
            # Private objects; nothing is ever addressed by a public or presigned URL.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            # Never replace an existing object: two uploads with one name both survive.
            "file_overwrite": False,
        },
    }


def env_rate(name: str, default: str) -> str | None:
    """A request rate such as ``300/min`` (per s, min, hour or day); ``off`` for none."""
    value = (os.environ.get(name) or default).strip().lower()
    if value in {"off", "none", "0"}:
        return None
    number, _sep, period = value.partition("/")
    if not number.isdigit() or int(number) < 1 or period not in {
            "s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}:
        raise EnvError(f"{name}={value!r} is not a rate: use for example 300/min, or off")
    return value


def secret_key(name: str, data_dir: Path) -> str:
    """The key from the environment, else one generated once and kept in the data folder."""
    raw = os.environ.get(name)
    if raw:
        # Django's deploy check asks for 50 characters; fewer make forged sessions easier.
        if len(raw) < 50 or len(set(raw)) < 5:
            raise EnvError(f"{name} is too short: use at least 50 random characters")
        return raw
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Written with owner-only permissions: the key signs sessions and tokens.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def household_key(name: str, data_dir: Path) -> bytes:
    """The key of the households' keyed hashes (NIK, KK): from the environment, else one
    generated once into ``<data folder>/household_key``. Never in the database, and not in
    ``ksbb backup`` (which packs the database and media/ only): a stolen backup then cannot
    be used to test guessed NIKs. Losing it makes the stored hashes unmatchable, so the
    operator keeps a copy apart from the backups."""
    raw = os.environ.get(name)
    if raw:
        if len(raw) < 32:
            raise EnvError(f"{name} is too short: use at least 32 random characters")
        return raw.encode()
    key_file = data_dir / "household_key"
    if key_file.exists():
        return key_file.read_text().strip().encode()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return key_file.read_text().strip().encode()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key.encode()


def env_ed25519_seed(name: str) -> bytes | None:
    """An Ed25519 private key given as its 32 bytes in base64 (or base64url); None if unset.
    Checked when settings load, so a bad value stops ksbb at start, not at the first
    signature."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return None
    import base64
    import binascii

    text = raw.replace("-", "+").replace("_", "/")
    try:
        seed = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise EnvError(f"{name} must be 32 random bytes in base64 (an Ed25519 private key), "
                       "e.g. python3 -c \"import os,base64; "
                       "print(base64.b64encode(os.urandom(32)).decode())\"")
    return seed
