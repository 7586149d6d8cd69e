"""How fast the area picker finds a place by name over all of Indonesia (~90,000 villages).

    .venv/bin/python bench/area_search.py [--rounds 20]
    KSBB_DATABASE_URL=postgres://... .venv/bin/python bench/area_search.py

Loads the shipped Kemendagri tree (every province) and the RWs of one Jakarta village into the
database the settings name (SQLite under var/bench-areas by default; migrated first), prints
the query plan of the name search, then the median and worst time of a suggestion request
(``area_search``) and of reading a typed text back (``area_resolve``) for a few texts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksbb.settings")
os.environ.setdefault("KSBB_DATA_DIR", str(ROOT / "var" / "bench-areas"))

TEXTS = ["Gambir", "gamb", "Sukamaju", "Suka", "Gambir RW 3",
         "Gambir - Kec. Gambir - Kota Jakarta Pusat", "Jakarta Pusat", "31.71.01.1001",
         "Xyzzy"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="repetitions per text")
    args = parser.parse_args()
    Path(os.environ["KSBB_DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ksbb.areas.models import Area
    from ksbb.areas.selectors import area_resolve, area_search
    from ksbb.areas.services import areas_load_reference, rws_import
    from ksbb.core.domain import SystemActor

    call_command("migrate", verbosity=0)
    by = SystemActor("bench")
    if Area.objects.filter(level=Area.Level.VILLAGE).count() < 80_000:
        areas_load_reference(by=by)
        rws_import(rows=[(n, {"village_code": "31.71.01.1001", "rw": str(n), "households": "",
                              "population": "", "poor_households": ""}) for n in range(1, 11)],
                   by=by)
    print(f"{connection.vendor}: {Area.objects.count()} areas, "
          f"{Area.objects.filter(level=Area.Level.VILLAGE).count()} villages")
    qs = Area.objects.exclude(level__in=[5, 2]).filter(name__istartswith="gamb").order_by(
        "name", "code")[:10]
    print("plan of the name search:")
    print("   ", qs.explain().replace("\n", "\n    "))
    village_rw = (Area.Level.VILLAGE, Area.Level.RW)
    print(f"{'text':44} {'search ms':>10} {'max':>6} {'resolve ms':>11} {'max':>6}  answer")
    for text in TEXTS:
        searches, resolves = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            hits = area_search(text, levels=village_rw)
            searches.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            result = area_resolve(text, levels=village_rw)
            resolves.append((time.perf_counter() - start) * 1000)
        answer = result.area.code if result.area else f"{result.problem} ({len(hits)} hits)"
        print(f"{text:44} {statistics.median(searches):10.1f} {max(searches):6.1f} "
              f"{statistics.median(resolves):11.1f} {max(resolves):6.1f}  {answer}")


if __name__ == "__main__":
    main()
