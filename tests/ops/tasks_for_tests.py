"""A background task for the supervisor test (tests/ops/test_supervise.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def ping() -> str:
    return "pong"
