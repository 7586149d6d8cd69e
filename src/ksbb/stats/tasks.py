"""Background tasks of the statistics (django-tasks; the database backend in production)."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django_tasks import task

from ksbb.stats.pagecache import current_generation
from ksbb.stats.rollups import rebuild_stale_and_bump

logger = logging.getLogger(__name__)


@task()
def rollups_rebuild_task() -> dict[str, int]:
    """Rebuild the dashboard's rollups when a change bypassed the services (they are marked
    stale). Queued by a page that found them stale: no request waits for a rebuild."""
    return rebuild_stale_and_bump()


def rebuild_in_background() -> None:
    """Queue one rebuild (``rollups_rebuild_task``) for the current generation: pages keep
    serving the figures they have while the task worker recomputes."""
    if cache.add(f"ksbb:stats:rebuild-queued:{current_generation()}", 1, 300):
        try:
            rollups_rebuild_task.enqueue()
        except Exception:  # a queue that is down must not take the public pages with it
            logger.exception("could not queue the statistics rebuild")
