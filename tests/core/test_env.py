from pathlib import Path

import pytest

from ksbb.core import env


def test_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("ON", True), ("0", False), ("no", False)]:
        monkeypatch.setenv("KSBB_X", raw)
        assert env.env_bool("KSBB_X", not expected) is expected


def test_bool_refuses_nonsense_naming_the_variable(monkeypatch):
    monkeypatch.setenv("KSBB_DEBUG", "maybe")
    with pytest.raises(env.EnvError, match="KSBB_DEBUG"):
        env.env_bool("KSBB_DEBUG", False)


def test_int_and_minimum(monkeypatch):
    monkeypatch.setenv("KSBB_N", "abc")
    with pytest.raises(env.EnvError, match="KSBB_N='abc' is not an integer"):
        env.env_int("KSBB_N", 1)
    monkeypatch.setenv("KSBB_N", "0")
    with pytest.raises(env.EnvError, match="at least 1"):
        env.env_int("KSBB_N", 1, minimum=1)


def test_time_zone_must_exist(monkeypatch):
    monkeypatch.setenv("KSBB_TIME_ZONE", "Asia/Atlantis")
    with pytest.raises(env.EnvError, match="KSBB_TIME_ZONE"):
        env.env_time_zone("KSBB_TIME_ZONE", "Asia/Jakarta")
    monkeypatch.delenv("KSBB_TIME_ZONE")
    assert env.env_time_zone("KSBB_TIME_ZONE", "Asia/Jakarta") == "Asia/Jakarta"


def test_database_url_is_checked(monkeypatch):
    monkeypatch.setenv("KSBB_DATABASE_URL", "mysql://x/y")
    with pytest.raises(env.EnvError, match="KSBB_DATABASE_URL"):
        env.env_database_url("KSBB_DATABASE_URL", "sqlite:///x")
    monkeypatch.setenv("KSBB_DATABASE_URL", "postgres://u@127.0.0.1:5432/ksbb")
    assert env.env_database_url("KSBB_DATABASE_URL", "sqlite:///x").startswith("postgres")


def test_secret_key_generated_once_and_kept(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("KSBB_SECRET_KEY", raising=False)
    first = env.secret_key("KSBB_SECRET_KEY", tmp_path)
    assert len(first) >= 50
    assert env.secret_key("KSBB_SECRET_KEY", tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_too_short_is_refused(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KSBB_SECRET_KEY", "short")
    with pytest.raises(env.EnvError, match="too short"):
        env.secret_key("KSBB_SECRET_KEY", tmp_path)


def test_data_dir_must_be_a_directory(tmp_path: Path, monkeypatch):
    file = tmp_path / "f"
    file.write_text("x")
    monkeypatch.setenv("KSBB_DATA_DIR", str(file))
    with pytest.raises(env.EnvError, match="not a directory"):
        env.env_path("KSBB_DATA_DIR", tmp_path)


def test_cli_reports_configuration_errors(tmp_path: Path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ksbb.cli", "check"], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "KSBB_DATA_DIR": str(tmp_path), "KSBB_DEBUG": "maybe"},
        timeout=60,
    )
    assert result.returncode == 2
    assert "configuration error: KSBB_DEBUG='maybe'" in result.stderr


@pytest.mark.parametrize(("url", "backend"), [
    ("locmem://", "locmem.LocMemCache"),
    ("redis://127.0.0.1:6379/0", "redis.RedisCache"),
    ("file:///var/cache/ksbb", "cache.LockedFileCache"),
])
def test_cache_url_picks_the_backend(monkeypatch, url, backend):
    monkeypatch.setenv("KSBB_CACHE_URL", url)
    assert env.env_cache("KSBB_CACHE_URL", "locmem://")["BACKEND"].endswith(backend)


@pytest.mark.parametrize("url", ["memcached://x", "redis://", "file://relative", "nonsense"])
def test_cache_url_refuses_what_it_cannot_use(monkeypatch, url):
    monkeypatch.setenv("KSBB_CACHE_URL", url)
    with pytest.raises(env.EnvError, match="KSBB_CACHE_URL"):
        env.env_cache("KSBB_CACHE_URL", "locmem://")
