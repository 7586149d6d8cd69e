"""Household lists for the demo data set (ksbb.ops.demo): a few RWs of the demo village
with invented families and numbers, two households flagged for the assessor, and the demo
ketua RW's handouts on the signed demo BAST, so every household page has something on it.

The numbers are made up; they only have the form of a KK and a NIK of the village's
district. Nothing here is real personal data.
"""

from __future__ import annotations

import random
from typing import Any

from ksbb.areas.models import Area
from ksbb.households import identity
from ksbb.households.models import Household
from ksbb.households.selectors import signed_basts_for_rw
from ksbb.households.services import handout_record, households_import

_GIVEN = ["Budi", "Siti", "Agus", "Dewi", "Rudi", "Sri", "Joko", "Wati", "Hendra", "Yuni",
          "Bambang", "Rina", "Eko", "Lestari", "Andi", "Nur", "Dedi", "Ratna", "Slamet", "Ani"]
_FAMILY = ["Santoso", "Rahayu", "Hidayat", "Lestari", "Saputra", "Wulandari", "Nugroho",
           "Susanti", "Pratama", "Kusuma", "Setiawan", "Handayani", "Gunawan", "Utami"]
PER_RW = 36


def seed_demo_households(*, users: dict[str, Any], village: Area, recipient: Any) -> None:
    """Lists for the village's first three RWs; handouts to two thirds of the demo RW."""
    rng = random.Random(16)
    district = identity.district_of_rw(recipient.area_id)
    rws = list(Area.objects.filter(parent=village, level=Area.Level.RW)
               .order_by("code").values_list("code", flat=True)[:3])
    rows: list[tuple[int, dict[str, str]]] = []
    serial = 0
    for rw in rws:
        for _ in range(PER_RW):
            serial += 1
            day = rng.randint(1, 28) + (40 if serial % 2 else 0)
            nik = f"{district}{day:02d}{rng.randint(1, 12):02d}{rng.randint(50, 99):02d}" \
                  f"{serial:04d}"
            kk = f"{district}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}" \
                 f"{rng.randint(10, 24):02d}{serial:04d}"
            rows.append((len(rows) + 2, {
                "rw_code": rw, "rt": str(rng.randint(1, 6)), "kk": kk, "nik": nik,
                "name": f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}",
                "members": str(rng.randint(1, 7)), "decile": str(rng.randint(1, 8))}))
    if len(rows) > 2:
        # One family listed in two RWs: the assessor sees it among the checks to resolve.
        rows[-1][1]["kk"] = rows[0][1]["kk"]
    report = households_import(rows=lambda: iter(rows), by=users["assessor"])
    if not report.ok:
        raise RuntimeError(f"demo households did not import: {report.errors[:3]}")
    bast = signed_basts_for_rw(recipient.area_id).first()
    if bast is None:
        return
    mine = list(Household.objects.filter(rw_id=recipient.area_id).order_by("rt", "pk"))
    for household in mine[: len(mine) * 2 // 3]:
        handout_record(handover=bast, household=household, by=users["ketua_rw"])
