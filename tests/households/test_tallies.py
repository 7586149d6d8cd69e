"""The counters the reports read (tallies.py) equal a recount from the households and
handouts after any sequence of the services' writes."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ksbb.areas.models import Area
from ksbb.core.domain import Refusal
from ksbb.households import tallies
from ksbb.households.models import Handout, Household
from ksbb.households.services import (
    handout_record,
    handout_undo,
    household_add,
    household_set_status,
    households_import,
)
from tests.households.conftest import RW_A, RW_A2, kk, nik, row, rows_of

_serials = itertools.count(100)

OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("import"), st.sampled_from([RW_A, RW_A2]), st.integers(1, 3)),
    st.tuples(st.just("add"), st.just(RW_A), st.just(1)),
    st.tuples(st.just("status"), st.sampled_from(["active", "moved", "deceased"]),
              st.integers(0, 50)),
    st.tuples(st.just("hand_out"), st.integers(1, 3), st.integers(0, 50)),
    st.tuples(st.just("undo"), st.just(0), st.integers(0, 50)),
), min_size=1, max_size=12)


def _pick(qs, index):  # type: ignore[no-untyped-def]
    items = list(qs.order_by("pk"))
    return items[index % len(items)] if items else None


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_counters_equal_a_recount_after_any_operations(cast, lists, bast, operations):  # type: ignore[no-untyped-def]
    rw_a = Area.objects.get(code=RW_A)
    for kind, a, b in operations:
        try:
            if kind == "import":
                serials = [next(_serials) for _ in range(b)]
                households_import(rows=rows_of(*[row(s, rw=a) for s in serials]),
                                  by=cast.assessor)
            elif kind == "add":
                s = next(_serials)
                household_add(rw=rw_a, rt=1, kk=kk(s), nik=nik(s), name="Baru", members=2,
                              by=cast.ketua_rw)
            elif kind == "status":
                household = _pick(Household.objects.filter(rw_id=RW_A), b)
                household_set_status(household=household, status=a, reason="cek",
                                     by=cast.ketua_rw)
            elif kind == "hand_out":
                household = _pick(Household.objects.filter(rw_id=RW_A), b)
                handout_record(handover=bast, household=household, quantity=a,
                               by=cast.ketua_rw)
            elif kind == "undo":
                handout = _pick(Handout.objects.all(), b)
                if handout is not None:
                    handout_undo(handout=handout, by=cast.ketua_rw)
        except Refusal:
            pass  # refused (already recorded, moved away, nothing left): changes nothing
        assert tallies.stored() == tallies.recount()
