"""Deriving needs from poor households uses the per-RW figures already in the system when
no file is uploaded (issue 15, observation 7: the page asked for a CSV)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ksbb.areas.models import Area
from ksbb.needs.models import Need, NeedsImport
from tests.needs.conftest import RW_A1, RW_A2


@pytest.fixture
def immediate(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


def test_no_file_uses_the_figures_per_rw(  # type: ignore[no-untyped-def]
    cast, food_round, client_for, immediate, django_capture_on_commit_callbacks
):
    Area.objects.filter(code=RW_A2).update(poor_households=None)  # no figure: no need
    c = client_for(cast.assessor)
    assert "already in the system" in c.get(f"/backoffice/rounds/{food_round.pk}/").content.decode()
    health = SimpleUploadedFile("dinkes.csv", f"rw_code\n{RW_A1}\n".encode(),
                                content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(f"/backoffice/rounds/{food_round.pk}/imports/poverty/", {
            "item": "sembako", "per_poor_household": "2", "health_file": health})
    job = NeedsImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/backoffice/imports/{job.pk}/"
    assert job.state == NeedsImport.State.DONE, job.report
    got = {n.recipient.area_id: (n.quantity, n.priority) for n in Need.objects.all()}
    # The cast's RWs each have 40 poor households (tests/conftest.py).
    assert got[RW_A1] == (80, 1)
    assert RW_A2 not in got
    assert len(got) == 3
    with job.file.open("rb") as fh:
        assert fh.read().decode().startswith("rw_code,poor_households\n")


def test_no_figures_anywhere_asks_for_a_file(  # type: ignore[no-untyped-def]
    cast, food_round, client_for, immediate
):
    Area.objects.update(poor_households=None)
    c = client_for(cast.assessor)
    page = c.post(f"/backoffice/rounds/{food_round.pk}/imports/poverty/",
                  {"item": "sembako", "per_poor_household": "1"}, follow=True)
    assert "no RW has a figure of poor households yet" in page.content.decode()
    assert not NeedsImport.objects.exists()
