"""PostgreSQL: taps from several phones at the same moment never hand out more than the
BAST delivered (the BAST's row lock serialises them)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import translation

from ksbb.households.models import Handout, Household
from ksbb.households.services import handout_record, households_import
from tests.households.conftest import RW_A, row, rows_of

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_concurrent_taps_stay_within_the_bast(cast, bast):  # type: ignore[no-untyped-def]
    households_import(rows=rows_of(*[row(i) for i in range(1, 13)]), by=cast.assessor)
    households = list(Household.objects.filter(rw_id=RW_A))
    assert len(households) == 12
    barrier = threading.Barrier(len(households))
    ok, refused, other = [], [], []
    lock = threading.Lock()

    def tap(h: Household) -> None:
        try:
            barrier.wait()
            with translation.override("en"):
                handout_record(handover=bast, household=h, quantity=4, by=cast.ketua_rw)
            with lock:
                ok.append(h.pk)
        except ValidationError as exc:
            with lock:
                refused.append(" ".join(exc.messages))
        except BaseException as exc:
            with lock:
                other.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=(h,)) for h in households]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other == []
    assert len(ok) == 10 and len(refused) == 2, refused
    assert all("only 0 left" in message for message in refused)
    assert Handout.objects.aggregate(total=Sum("quantity"))["total"] == 40
