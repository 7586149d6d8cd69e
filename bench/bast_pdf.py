"""How many BAST PDFs (with QR code) the renderer produces per second.

    .venv/bin/python bench/bast_pdf.py [--n 500]

Renders a signed BAST held in memory (its frozen content, as the verification page and the
API use it), so the figure is the renderer's own cost: reportlab layout, segno QR encoding
and PDF compression. One process, one core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksbb.settings")
os.environ.setdefault("KSBB_DATA_DIR", str(ROOT / "var" / "bench"))


def _handover():  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from ksbb.distribution.models import Handover
    from ksbb.distribution.selectors import fingerprint_of

    content = {
        "number": "BAST/PANGAN/2020/05/0042", "program": "PANGAN", "date": "2020-05-14",
        "place": {"area": "31.71.01.1001.003", "area_name": "RW 003",
                  "address": "Balai warga RW 03, Jl. Gambir 1", "latitude": "-6.175392",
                  "longitude": "106.827153"},
        "recipient": {"name": "RW 003, Gambir", "kind": "rw", "area": "31.71.01.1001.003"},
        "lines": [{"item": "sembako", "name": "Paket sembako", "unit": "paket",
                   "quantity": 1000},
                  {"item": "siap-saji", "name": "Makanan siap saji", "unit": "paket",
                   "quantity": 120}],
        "aggregators": ["BAZNAS DKI"],
        "collaborators": ["Donatur perorangan", "PT Sembako Nusantara"],
        "parties": [{"role": "giver", "name": "Andi Pratama"},
                    {"role": "receiver", "name": "Budi Santoso"},
                    {"role": "witness", "name": "Siti Rahmawati"}],
        "supersedes": None,
    }
    now = timezone.now()
    return Handover(number=content["number"], code="7KQ2M9XH4TPD", state="signed",
                    date=dt.date(2020, 5, 14), address="Balai warga", content=content,
                    fingerprint=fingerprint_of(content), giver_name="Andi Pratama",
                    receiver_name="Budi Santoso", witness_name="Siti Rahmawati",
                    giver_confirmed_at=now, receiver_confirmed_at=now,
                    witness_confirmed_at=now, signed_at=now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="PDFs per run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from ksbb.distribution.pdf import BastPdfRenderer

    handover = _handover()
    renderer = BastPdfRenderer(handover)
    renderer.render()  # warm-up: fonts, imports
    rates = []
    size = 0
    for _run in range(args.runs):
        start = time.perf_counter()
        for _i in range(args.n):
            size = len(renderer.render())
        rates.append(args.n / (time.perf_counter() - start))
    print(f"BAST PDF render: {args.n} PDFs x {args.runs} runs")
    print(f"  median {statistics.median(rates):.0f} PDFs/s "
          f"(min {min(rates):.0f}, max {max(rates):.0f}); "
          f"{1000 / statistics.median(rates):.2f} ms per PDF; {size:,} bytes each")


if __name__ == "__main__":
    main()
