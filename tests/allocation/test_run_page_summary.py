"""The allocation run page's area sections: no link inside a <summary> (issue 15, axe
nested-interactive on /backoffice/allocation_runs/<id>/); "only this area" still offered."""

from __future__ import annotations

import re

import pytest
from tests.allocation.conftest import RW_A1, need, received

from ksbb.allocation.services import run_start

pytestmark = pytest.mark.usefixtures("tasks_immediate")


def test_no_link_inside_a_summary(cast, don, food_round, client_for,
                                  django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    need(food_round, RW_A1, 30, cast.assessor)
    received(cast, don, 40)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(round=food_round, by=cast.assessor)
    body = client_for(cast.assessor).get(f"/backoffice/allocation_runs/{run.pk}/").content.decode()
    summaries = re.findall(r"<summary>(.*?)</summary>", body, re.S)
    assert summaries
    assert not [s for s in summaries if "<a " in s or "<button" in s]
    assert 'href="?within=31.71"' in body
