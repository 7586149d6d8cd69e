"""Misuse-report fixtures on top of the shared cast."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ksbb.areas.models import Area
from ksbb.reports.models import MisuseReport
from ksbb.reports.services import report_submit

REPORTER = {"reporter_name": "Siti Rahayu", "reporter_email": "siti.rahayu@example.com",
            "reporter_phone": "081298765432"}
DESCRIPTION = "Pak Joko dari RT 05 menjual paket sembako di pasar Tanah Abang"


def png(name: str = "photo.png", size: tuple[int, int] = (32, 24)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _clean_cache_and_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


@pytest.fixture
def report(cast) -> MisuseReport:  # type: ignore[no-untyped-def]
    """An anonymous report in village A (RW 001), with the reporter's contact."""
    return report_submit(category="aid_sold", area=Area.objects.get(code="31.71.01.1001.001"),
                         description=DESCRIPTION, by=None, **REPORTER)


@pytest.fixture
def other_report(cast) -> MisuseReport:  # type: ignore[no-untyped-def]
    """A report in another village (Jakarta Selatan)."""
    return report_submit(category="not_received",
                         area=Area.objects.get(code="31.75.01.1001.001"),
                         description="Tidak ada bantuan", by=None)
