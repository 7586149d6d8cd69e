from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.security.world import World, build_world


@pytest.fixture
def world(cast, settings, tmp_path, django_capture_on_commit_callbacks) -> World:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    # The allocation run's task runs in-process when its transaction commits.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    cache.clear()  # the misuse reports' rate limit counts per address in the cache
    return build_world(cast, django_capture_on_commit_callbacks)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """The matrix's size, for the record: patterns walked, entries, cases run."""
    from tests.security.test_permission_matrix import STATS

    if not STATS:
        return
    ran = sum(v for k, v in STATS.items() if k.startswith("ran_"))
    terminalreporter.write_line(
        f"permission matrix: {STATS.get('patterns', '?')} URL patterns walked, "
        f"{STATS.get('names', '?')} named entries + {STATS.get('admin_urls', '?')} admin "
        f"pages x 9 roles; {ran} requests checked (GET and POST)")
