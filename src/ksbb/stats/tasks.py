"""Background tasks of the statistics (django-tasks; the database backend in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def rollups_rebuild_task() -> dict[str, int]:
    """Rebuild the dashboard's rollups when a change bypassed the services (they are marked
    stale). Queued by a page that found them stale: no request waits for a rebuild."""
    from ksbb.stats.rollups import rebuild_stale_and_bump

    return rebuild_stale_and_bump()
