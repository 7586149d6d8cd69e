"""The retention purge (ksbb purge_personal_data) erases the personal data of households
that moved away or died longer ago than the retention period and received nothing since."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ksbb.core.domain import SystemActor
from ksbb.core.models import AuditEntry
from ksbb.households import identity, tallies
from ksbb.households.models import Handout, Household
from ksbb.households.selectors import citizen_check
from ksbb.households.services import handout_record, household_set_status
from ksbb.privacy.services import purge_personal_data
from tests.households.conftest import RW_A, kk, nik

PURGER = SystemActor("purge_personal_data")


def test_households_gone_past_the_retention_period_lose_their_personal_data(  # type: ignore[no-untyped-def]
        cast, lists, bast):
    mine = list(Household.objects.filter(rw_id=RW_A).order_by("pk"))
    moved_reached, living_reached, moved, living = mine[:4]
    for household in (moved_reached, living_reached):
        handout_record(handover=bast, household=household, by=cast.ketua_rw)
    for household in (moved_reached, moved):
        household_set_status(household=household, status=Household.Status.MOVED,
                             reason="pindah ke Bekasi", by=cast.ketua_rw)
    later = timezone.now() + dt.timedelta(days=10)

    # Within the retention period: nothing.
    assert purge_personal_data(by=PURGER, now=later, retention_days=20).households == []
    preview = purge_personal_data(by=PURGER, now=later, retention_days=5, dry_run=True)
    assert preview.households == [moved_reached.pk, moved.pk]
    assert Household.objects.get(pk=moved.pk).head_name  # a dry run changes nothing

    counters_before = tallies.stored()
    result = purge_personal_data(by=PURGER, now=later, retention_days=5)
    assert result.households == [moved_reached.pk, moved.pk]
    for household in Household.objects.filter(pk__in=result.households):
        assert (household.head_name, household.kk_hash, household.nik_hash,
                household.kk_masked, household.nik_masked, household.status_reason) == \
            ("", "", "", "", "", "")
        assert household.status == Household.Status.MOVED  # the row and its counts stay
    erased_handout = Handout.objects.get(household=moved_reached)
    assert (erased_handout.kk_hash, erased_handout.nik_hash, erased_handout.quantity) == \
        ("", "", 1)
    # The living keep everything; the counters and the BAST's sums do not change.
    for household in (living_reached, living):
        kept = Household.objects.get(pk=household.pk)
        assert kept.head_name == household.head_name and len(kept.kk_hash) == 64
    assert Handout.objects.get(household=living_reached).kk_hash == living_reached.kk_hash
    assert tallies.stored() == counters_before == tallies.recount()
    # A number typed again finds nothing; the audit entry holds ids and counts only.
    serial = mine.index(moved) + 1
    assert not Household.objects.filter(kk_hash=identity.keyed_hash("kk", kk(serial))).exists()
    assert not Household.objects.filter(nik_hash=identity.keyed_hash("nik", nik(serial))).exists()
    assert citizen_check(nik=nik(5), kk=kk(5)).listed  # the living still check themselves
    entry = AuditEntry.objects.filter(action="privacy.purged").latest("pk")
    assert entry.after["households"] == 2
    assert entry.after["household_ids"] == [moved_reached.pk, moved.pk]
    assert moved.head_name not in str(entry.after)
    assert identity.keyed_hash("kk", kk(serial)) not in str(entry.after)
    # A second run finds nothing.
    assert purge_personal_data(by=PURGER, now=later, retention_days=5).households == []
