"""Background tasks of the needs app (django-tasks; the database backend in production)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def needs_import_task(import_id: int) -> dict[str, Any]:
    """Process one stored NeedsImport; progress and report are written to its row."""
    from ksbb.needs.services import needs_import_run

    job = needs_import_run(import_id=import_id)
    return {"import": job.pk, "state": job.state}
