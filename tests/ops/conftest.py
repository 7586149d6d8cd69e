"""Fixtures of the tests that run real ``ksbb`` processes on a database of their own
(test_faults, test_backup): a template with the demo data, built once per test session with
``ksbb up --setup-only``, and a fresh copy of it per test. The copy is a SQLite file in a
temporary folder or, when the suite runs on PostgreSQL, a database next to the test
database on the same server (named after KSBB_DATABASE_URL's database)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]


def pg_url() -> str | None:
    url = os.environ.get("KSBB_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def pg_admin(url: str) -> Any:
    import psycopg

    cfg = dj_database_url.parse(url)
    return psycopg.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None,
                           user=cfg["USER"] or None, password=cfg["PASSWORD"] or None,
                           dbname="postgres", autocommit=True)


def with_name(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def base_env(data_dir: Path, db_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSBB_")}
    env["KSBB_DATA_DIR"] = str(data_dir)
    if db_url:
        env["KSBB_DATABASE_URL"] = db_url
    env["PYTHONPATH"] = str(ROOT)
    return env


def ksbb(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run([sys.executable, "-m", "ksbb.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def worker(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "tests.ops.fault_worker", *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str | None]]:
    """The demo data set, set up once: a data folder, and a PostgreSQL database or None."""
    data = tmp_path_factory.mktemp("crash-template")
    url = pg_url()
    tpl_url = None
    if url:
        tpl_name = dj_database_url.parse(url)["NAME"] + "_crash_tpl"
        tpl_url = with_name(url, tpl_name)
        with pg_admin(url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{tpl_name}"')
            admin.execute(f'CREATE DATABASE "{tpl_name}"')
    ksbb(base_env(data, tpl_url), "up", "--setup-only")
    yield data, tpl_url
    if url and tpl_url:
        with pg_admin(url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{tpl_url.rsplit("/", 1)[1]}"')


@pytest.fixture
def fresh(template: tuple[Path, str | None], tmp_path: Path) -> Iterator[dict[str, str]]:
    """A copy of the template for one test; returns the environment to run ksbb with."""
    tpl_dir, tpl_url = template
    data = tmp_path / "var"
    shutil.copytree(tpl_dir, data, ignore=shutil.ignore_patterns("static"))
    url = None
    if tpl_url:
        name = tpl_url.rsplit("/", 1)[1].replace("_crash_tpl", "_crash")
        url = with_name(tpl_url, name)
        with pg_admin(tpl_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl_url.rsplit("/", 1)[1]}"')
    yield base_env(data, url)
    if url:
        with pg_admin(url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


