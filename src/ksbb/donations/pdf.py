"""The donation receipt (tanda terima donasi) of a received pledge, as a one-page PDF.

The receipt is an Indonesian document (as a Kemensos-licensed organisation issues it);
its labels are fixed Indonesian text, not the reader's interface language.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ksbb.donations.models import PLEDGE_COUNTS_AS_RECEIVED, Pledge
from ksbb.donations.selectors import program_name


def has_receipt(pledge: Pledge) -> bool:
    return pledge.state in PLEDGE_COUNTS_AS_RECEIVED and pledge.received_at is not None


def _rupiah(value: int | None) -> str:
    return "Rp " + f"{value or 0:,}".replace(",", ".")


def _number(value: int | None) -> str:
    return f"{value or 0:,}".replace(",", ".")


def _when(value: Any) -> str:
    if value is None:
        return "-"
    return timezone.localtime(value).strftime("%d-%m-%Y %H:%M WIB")


class DonationReceiptPdf:
    """``DonationReceiptPdf(pledge, check_url=...).render()`` -> PDF bytes.

    ``check_url``, when given, is printed and drawn as a QR code so that anyone holding
    the paper can open the pledge's page.
    """

    title = "TANDA TERIMA DONASI"

    def __init__(self, pledge: Pledge, *, check_url: str = "") -> None:
        if not has_receipt(pledge):
            raise ValueError(f"pledge {pledge.pk} has not been received")
        self.pledge = pledge
        self.check_url = check_url

    @property
    def number(self) -> str:
        p = self.pledge
        received = timezone.localtime(p.received_at) if p.received_at else timezone.now()
        return f"KSBB/DON/{received:%Y}/{p.pk:06d}"

    def lines(self) -> list[tuple[str, str]]:
        p = self.pledge
        rows = [
            ("Nomor tanda terima", self.number),
            ("Nomor janji donasi", f"#{p.pk}"),
            ("Kolaborator (donatur)", p.collaborator.name),
            ("Lembaga kemanusiaan (agregator)", p.aggregator.name),
            # The donor pledged to the region's programme: print the name its pages show.
            ("Program", program_name(p.region, p.program)),
        ]
        if p.kind == Pledge.Kind.GOODS:
            assert p.item is not None
            unit = p.item.unit  # the unit codes are the Indonesian words (paket, kg, unit)
            rows += [
                ("Jenis donasi", "Barang"),
                ("Barang bantuan", p.item.name),
                ("Jumlah dijanjikan", f"{_number(p.quantity)} {unit}"),
                ("Jumlah diterima", f"{_number(p.received_quantity)} {unit}"),
                ("Nilai perkiraan", _rupiah((p.received_quantity or 0) * p.item.value_rupiah)),
            ]
        else:
            rows += [
                ("Jenis donasi", "Uang"),
                ("Jumlah dijanjikan", _rupiah(p.amount_rupiah)),
                ("Jumlah diterima", _rupiah(p.received_amount)),
            ]
        if p.preferred_area_id:
            rows.append(("Wilayah pilihan", str(p.preferred_area)))
        if p.recipient_id:
            rows.append(("Penerima pilihan", str(p.recipient)))
        rows += [
            ("Tanggal janji", _when(p.created_at)),
            ("Tanggal diterima", _when(p.received_at)),
        ]
        return rows

    def render(self) -> bytes:
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
        pdf.setTitle(f"{self.title} {self.number}")
        pdf.setAuthor("KSBB")
        pdf.setSubject(f"Pledge {self.pledge.pk}")
        width, height = A4
        left, y = 20 * mm, height - 25 * mm
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(left, y, self.title)
        y -= 7 * mm
        pdf.setFont("Helvetica", 9)
        pdf.drawString(left, y, "KSBB - Kolaborasi Sosial Berskala Besar")
        y -= 12 * mm
        for label, value in self.lines():
            pdf.setFont("Helvetica", 10)
            pdf.drawString(left, y, label)
            pdf.setFont("Helvetica-Bold", 10)
            pdf.drawString(left + 65 * mm, y, ": " + value[:80])
            y -= 7 * mm
        y -= 6 * mm
        pdf.setFont("Helvetica", 9)
        text = pdf.beginText(left, y)
        text.textLines(
            f"{self.pledge.aggregator.name} menyatakan telah menerima donasi di atas dari\n"
            f"{self.pledge.collaborator.name}. Donasi akan disalurkan melalui KSBB dan\n"
            "jejaknya dapat diikuti sampai berita acara serah terima (BAST).")
        pdf.drawText(text)
        if self.check_url:
            self._qr(pdf, width - 20 * mm - 35 * mm, height - 60 * mm, 35 * mm)
            pdf.setFont("Helvetica", 7)
            pdf.drawString(left, 20 * mm, "Periksa: " + self.check_url[:120])
        pdf.setFont("Helvetica", 7)
        pdf.drawString(left, 15 * mm, "Dicetak " + _when(timezone.now()))
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()

    def _qr(self, pdf: canvas.Canvas, x: float, y: float, size: float) -> None:
        import segno

        qr = segno.make(self.check_url, error="m")
        matrix = list(qr.matrix)
        border = 2
        count = len(matrix) + 2 * border
        cell = size / count
        pdf.setFillColorRGB(0, 0, 0)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    pdf.rect(x + (c + border) * cell, y + size - (r + border + 1) * cell,
                             cell, cell, stroke=0, fill=1)
