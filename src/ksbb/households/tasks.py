"""Background tasks of the households app (django-tasks; the database backend in production)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def household_import_task(import_id: int) -> dict[str, Any]:
    """Process one stored HouseholdImport; progress and report are written to its row."""
    from ksbb.households.services import household_import_run

    job = household_import_run(import_id=import_id)
    return {"import": job.pk, "state": job.state}
