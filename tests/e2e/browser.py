"""What every browser test shares: Debian's Chromium driven by Playwright (no browser is
downloaded), its launch arguments, the two page widths and the screenshots.

Tests take the ``browser`` fixture (tests/e2e/conftest.py): it skips the test when there is
no Chromium on PATH (Debian: ``apt-get install chromium``) or no Playwright, and closes the
browser afterwards. Screenshots go to test-artifacts/<folder>/ (not committed).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


def chromium_or_skip() -> str:
    """The system's Chromium, or skip the test."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    return chromium


def launch(playwright: Any, chromium: str) -> Any:
    return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)


def artifacts(folder: str) -> Path:
    """test-artifacts/<folder>/, created."""
    path = ARTIFACTS / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def shots(page: Any, folder: str, step: str, *, then: dict[str, int] = DESKTOP
          ) -> list[Path]:
    """The current page at desktop and phone width, full length; the page is left at
    ``then``'s size."""
    out = artifacts(folder)
    paths = []
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        path = out / f"{step}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(then)
    return paths


def shot(page: Any, folder: str, name: str) -> Path:
    """The current page as it is, full length."""
    path = artifacts(folder) / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# In page.evaluate(): None when the page fits its width, otherwise the widths and the
# outermost elements sticking out (not counting those inside a scrolling box): what to fix.
OVERFLOW = """() => {
    const doc = document.documentElement;
    // One pixel is sub-pixel rounding (a chart's canvas at 360.5 px), not a page to scroll.
    if (doc.scrollWidth <= doc.clientWidth + 1) return null;
    // The outermost elements sticking out, not counting those inside a scrolling box: what
    // to fix.
    const clipped = el => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
        }
        return false;
    };
    const out = Array.from(document.querySelectorAll('body *'))
        .filter(el => el.getBoundingClientRect().right > doc.clientWidth + 1 && !clipped(el));
    const outer = out.filter(el => !out.includes(el.parentElement)).slice(0, 3)
        .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
             (el.className && typeof el.className === 'string' ? '.' +
              el.className.trim().split(/\\s+/).join('.') : ''));
    return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, culprits: outer};
}"""
