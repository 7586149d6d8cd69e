"""Background task: a checkpoint now, and the next one scheduled (django-tasks)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ksbb.proofs.services import checkpoint_make


def checkpoint_interval() -> timedelta:
    return timedelta(minutes=getattr(settings, "KSBB_CHECKPOINT_MINUTES", 10))


def _next_is_queued() -> bool:
    """With the database backend, is a later run of this task already waiting? Keeps one
    chain of runs however often it is started (each ``ksbb up`` starts it)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to look at
        return False
    return DBTaskResult.objects.filter(
        task_path=checkpoint_task.module_path, status="READY").exists()


def schedule_checkpoints() -> None:
    """Start the periodic checkpoints unless a run is queued already (or they are off)."""
    if getattr(settings, "KSBB_CHECKPOINT_MINUTES", 10) > 0 and not _next_is_queued():
        checkpoint_task.enqueue()


@task()
def checkpoint_task() -> dict[str, Any]:
    cp = checkpoint_make()
    if (getattr(settings, "KSBB_CHECKPOINT_MINUTES", 10) > 0
            and checkpoint_task.get_backend().supports_defer and not _next_is_queued()):
        checkpoint_task.using(run_after=timezone.now() + checkpoint_interval()).enqueue()
    return {"size": cp.size, "root": cp.root_hash}
