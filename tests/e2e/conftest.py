"""The ``browser`` fixture of every browser test (helpers in tests/e2e/browser.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.e2e.browser import chromium_or_skip, launch


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Chromium, started once the test's own fixtures are ready; skips the test
    without Chromium or Playwright."""
    chromium = chromium_or_skip()
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright marks its event loop as running in this thread between calls, and the
    # test body reads the database meanwhile: Django must allow it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        chromium_browser = launch(p, chromium)
        try:
            yield chromium_browser
        finally:
            chromium_browser.close()
            # Database work done while Playwright runs has a connection of its own: close
            # it, or the test database cannot be dropped at the end.
            connection.close()
