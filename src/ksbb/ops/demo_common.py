"""What both demo regions are built from (``ksbb.ops.demo``: Jakarta; ``ksbb.ops.demo_regions``:
Kota Bandung): invented RWs, and deliveries handed over on paper."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.pdfgen import canvas

from ksbb.areas.models import Area
from ksbb.distribution.services import (
    delivery_deliver,
    delivery_dispatch,
    handover_create,
    handover_paper_accept,
    handover_paper_upload,
)

JAKARTA_RW_COUNT = 2705


def demo_rw_rows(
    province: str = "31", total: int = JAKARTA_RW_COUNT
) -> list[tuple[int, dict[str, str]]]:
    """Spread ``total`` RWs over the province's villages with plausible, invented figures."""
    villages = list(
        Area.objects.filter(level=Area.Level.VILLAGE, code__startswith=f"{province}.")
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not villages:
        return []
    rng = random.Random(31)  # fixed seed: the same demo on every machine
    base, extra = divmod(total, len(villages))
    rich = set(rng.sample(range(len(villages)), extra))
    rows: list[tuple[int, dict[str, str]]] = []
    for index, village in enumerate(villages):
        for rw in range(1, base + (1 if index in rich else 0) + 1):
            households = rng.randint(250, 1400)
            population = int(households * rng.uniform(3.2, 4.6))
            poor = int(households * rng.uniform(0.04, 0.35))
            rows.append(
                (
                    len(rows) + 2,
                    {
                        "village_code": village,
                        "rw": str(rw),
                        "households": str(households),
                        "population": str(population),
                        "poor_households": str(poor),
                    },
                )
            )
    return rows


def _sign_on_paper(*, delivery: Any, date: Any, users: dict[str, Any]) -> None:
    """Dispatched, delivered and handed over, signed on paper (the scan is a stub PDF)."""
    delivery_dispatch(delivery=delivery, by=users["executor"])
    delivery_deliver(delivery=delivery, by=users["executor"])
    _set_out_on(delivery, date)
    handover = handover_create(
        delivery=delivery, date=date, by=users["executor"],
        lines={line.pk: line.quantity for line in delivery.lines.all()},
        address=f"Balai warga {delivery.recipient.area.name} (demo)")
    handover = handover_paper_upload(
        handover=handover, by=users["executor"], receiver_name="Ketua (demo)",
        witness_name="Lurah (demo)",
        upload=SimpleUploadedFile("bast-demo.pdf", _stub_pdf(), content_type="application/pdf"))
    handover_paper_accept(handover=handover, by=users["assessor"])


def _set_out_on(delivery: Any, day: dt.date) -> None:
    """The demo tells weeks of history in one go: its deliveries set out on the day of their
    handover (a BAST is never dated before its delivery left)."""
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0)))
    type(delivery).objects.filter(pk=delivery.pk).update(created_at=when, dispatched_at=when)
    delivery.refresh_from_db()


def _stub_pdf() -> bytes:
    """A one-page PDF standing for the scanned paper BAST (scans are parsed, so it must be a
    real one)."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "BAST (demo)")
    page.showPage()
    page.save()
    return out.getvalue()
