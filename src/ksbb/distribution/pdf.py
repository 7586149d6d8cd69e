"""The BAST as a PDF, in Indonesian (the document's legal language), with a QR code to its
public verification page. Drawn with reportlab's canvas; the QR code is drawn as vector
squares from segno's matrix, so no image library is involved."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ksbb.core.links import absolute_url
from ksbb.distribution.models import Handover
from ksbb.distribution.selectors import handover_content, handover_parties
from ksbb.proofs.models import HandoverSeal
from ksbb.verify.statements import qr_text, unb64url

_ROLE_ID = {"giver": "Pihak yang menyerahkan", "receiver": "Pihak yang menerima",
            "witness": "Saksi (pendamping kelurahan)"}
_UNIT_ID = {"paket": "paket", "kg": "kg", "unit": "unit", "rupiah": "rupiah"}
_MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember"]


def verify_url(code: str) -> str:
    return absolute_url(f"/verify/{code}/")


def _date_id(value: Any) -> str:
    return f"{value.day} {_MONTHS_ID[value.month - 1]} {value.year}"


def _time_id(value: Any) -> str:
    if value is None:
        return "ditandatangani di atas kertas"
    local = timezone.localtime(value)
    return f"dikonfirmasi {_date_id(local)} {local:%H:%M} WIB"


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class BastPdfRenderer:
    """``BastPdfRenderer(handover).render()`` -> PDF bytes.

    ``page_compression=False`` leaves the page stream readable (tests search its text).
    """

    def __init__(self, handover: Handover, *, page_compression: bool = True) -> None:
        self.handover = handover
        self.page_compression = page_compression

    def _content(self) -> dict[str, Any]:
        h = self.handover
        return h.content if h.is_signed and h.content else handover_content(h)

    def render(self) -> bytes:
        h = self.handover
        content = self._content()
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=A4, pageCompression=1 if self.page_compression else 0)
        c.setTitle(f"Berita Acara Serah Terima {h.number}")
        c.setAuthor("KSBB")
        width, height = A4
        left, y = 20 * mm, height - 22 * mm

        c.setFont("Helvetica-Bold", 14)
        c.drawCentredString(width / 2, y, "BERITA ACARA SERAH TERIMA (BAST)")
        y -= 6 * mm
        c.setFont("Helvetica", 10)
        c.drawCentredString(width / 2, y, "Kolaborasi Sosial Berskala Besar (KSBB)")
        y -= 6 * mm
        c.setFont("Helvetica-Bold", 11)
        c.drawCentredString(width / 2, y, f"Nomor: {h.number}")
        y -= 10 * mm

        place = content["place"]
        recipient = content["recipient"]
        rows = [
            ("Program", content["program"]),
            ("Tanggal", _date_id(h.date)),
            ("Tempat", f"{place['address']}, {place['area_name']} ({place['area']})"),
        ]
        if place.get("latitude"):
            rows.append(("Koordinat", f"{place['latitude']}, {place['longitude']}"))
        rows += [
            ("Penerima", f"{recipient['name']} ({recipient['area']})"),
            ("Agregator", ", ".join(content["aggregators"]) or "-"),
            ("Kolaborator", ", ".join(content["collaborators"]) or "-"),
        ]
        if content.get("supersedes"):
            rows.append(("Mengoreksi", f"BAST {content['supersedes']}"))
        c.setFont("Helvetica", 10)
        for label, value in rows:
            c.drawString(left, y, label)
            c.drawString(left + 30 * mm, y, f": {value}"[:95])
            y -= 5.5 * mm

        y -= 4 * mm
        c.setFont("Helvetica-Bold", 10)
        c.drawString(left, y, "Barang yang diserahterimakan")
        y -= 6 * mm
        c.drawString(left, y, "No")
        c.drawString(left + 10 * mm, y, "Barang bantuan")
        c.drawRightString(width - 45 * mm, y, "Jumlah")
        c.drawString(width - 42 * mm, y, "Satuan")
        c.line(left, y - 1.5 * mm, width - 20 * mm, y - 1.5 * mm)
        y -= 6 * mm
        c.setFont("Helvetica", 10)
        for n, line in enumerate(content["lines"], start=1):
            c.drawString(left, y, str(n))
            c.drawString(left + 10 * mm, y, line["name"][:60])
            c.drawRightString(width - 45 * mm, y, _fmt_int(line["quantity"]))
            c.drawString(width - 42 * mm, y, _UNIT_ID.get(line["unit"], line["unit"]))
            y -= 5.5 * mm

        y -= 6 * mm
        c.setFont("Helvetica-Bold", 10)
        c.drawString(left, y, "Para pihak")
        y -= 6 * mm
        c.setFont("Helvetica", 10)
        for party in handover_parties(h):
            c.drawString(left, y, f"{_ROLE_ID[party['role']]}: {party['name'] or '-'}")
            c.drawString(left + 100 * mm, y, _time_id(party["confirmed_at"])
                         if party["name"] else "belum dikonfirmasi")
            y -= 5.5 * mm

        y -= 6 * mm
        status = "SAH (ditandatangani)" if h.is_signed else "DRAF (belum ditandatangani)"
        c.setFont("Helvetica-Bold", 10)
        c.drawString(left, y, f"Status: {status}")
        y -= 6 * mm
        c.setFont("Courier", 8)
        fingerprint = h.fingerprint or "-"
        c.drawString(left, y, f"Sidik jari (SHA-256): {fingerprint}")
        y -= 5 * mm
        url = verify_url(h.code)
        c.setFont("Helvetica", 9)
        c.drawString(left, y, f"Periksa keaslian dokumen ini: {url}")
        c.drawString(left, y - 4.5 * mm, f"Kode verifikasi: {h.code}")
        seal = self._seal()
        if seal is not None:
            c.drawString(left, y - 9 * mm, "Ditandatangani secara elektronik oleh platform "
                                            f"KSBB, kunci {seal.key_id}")
            c.drawString(left, y - 13.5 * mm, "Kode QR dapat diperiksa tanpa internet di "
                                               "halaman /verify/scan/")
            qr = qr_text(verify_url=url, statement=seal.statement.encode("utf-8"),
                         signature=unb64url(seal.signature))
        else:
            qr = url
        # The signed statement makes the code dense: printed larger so that a phone camera
        # still resolves its modules (about 0.5 mm each).
        size = 48 * mm if seal is not None else 35 * mm
        self._draw_qr(c, qr, x=width - 20 * mm - size, y=20 * mm, size=size)
        c.setFont("Helvetica", 7)
        c.drawString(left, 15 * mm, "Dokumen ini dibuat oleh platform KSBB. Pindai kode QR "
                                    "untuk memeriksa keasliannya.")
        c.showPage()
        c.save()
        return buf.getvalue()

    def _seal(self) -> Any:
        if not self.handover.is_signed:
            return None

        return HandoverSeal.objects.filter(handover=self.handover).first()

    @staticmethod
    def _draw_qr(c: Canvas, url: str, *, x: float, y: float, size: float) -> None:
        qr = segno.make(url, error="m", micro=False)
        matrix = [list(row) for row in qr.matrix]
        border = 2
        count = len(matrix) + 2 * border
        module = size / count
        c.setFillColorRGB(1, 1, 1)
        c.rect(x, y, size, size, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        path = c.beginPath()
        for r, row in enumerate(matrix):
            for col, dark in enumerate(row):
                if dark:
                    path.rect(x + (col + border) * module,
                              y + size - (r + border + 1) * module, module, module)
        c.drawPath(path, stroke=0, fill=1)
