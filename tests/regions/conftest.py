from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.regions.world import RegionWorld, build_region_world
from tests.security.world import World, build_world


@pytest.fixture
def two_worlds(cast, bandung, settings, tmp_path,  # type: ignore[no-untyped-def]
               django_capture_on_commit_callbacks) -> tuple[World, RegionWorld]:
    """Jakarta's records (the security world) and Bandung's, side by side."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    cache.clear()
    jakarta = build_world(cast, django_capture_on_commit_callbacks)
    return jakarta, build_region_world(cast, bandung, jakarta.don,
                                       django_capture_on_commit_callbacks)
