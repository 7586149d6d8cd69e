"""Limits every uploaded image and PDF meets before anything decodes it.

One pixel cap for every image (handover photos, paper BAST scans, misuse-report photos,
purchase receipts): a 400 KB PNG can claim 12,000 x 12,000 pixels and take a worker's
memory from 0.5 to 1.3 GB when decoded. Pillow reads the size from the header without
decoding, so the cap is checked first. A PDF is parsed (pdfium, the same library that
renders our receipts' previews elsewhere) rather than trusted by its first bytes: a 30-byte
``%PDF-...%%EOF`` is not a scan.
"""

from __future__ import annotations

import io
import warnings

from django.utils.translation import gettext as _

# 40 megapixels: a 7,700 x 5,200 phone photo fits, a decompression bomb does not.
MAX_IMAGE_PIXELS = 40_000_000
MAX_PDF_PAGES = 20
# PDF's own largest page (200 inches at 72 points per inch).
_MAX_PDF_SIDE_POINTS = 14_400


class UploadRefused(ValueError):
    """The file is not acceptable; the message is translated and names the reason."""


def image_header(data: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) from the image's header, nothing decoded; None when it is no
    image Pillow knows. Raises UploadRefused above the pixel cap."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit; ours is lower and answered below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (width, height) = probe.format or "", probe.size
    except Image.DecompressionBombError as exc:
        raise UploadRefused(_too_many_pixels()) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    if width * height > MAX_IMAGE_PIXELS:
        raise UploadRefused(_too_many_pixels())
    return fmt, width, height


def _too_many_pixels() -> str:
    return _("the image has more than %(mpx)s million pixels; send a smaller one") % {
        "mpx": MAX_IMAGE_PIXELS // 1_000_000}


def check_pdf(data: bytes) -> int:
    """The number of pages of a readable PDF with sensible page sizes; UploadRefused
    otherwise."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, ValueError) as exc:
        raise UploadRefused(_("the file is not a readable PDF")) from exc
    try:
        pages = len(pdf)
        if pages < 1:
            raise UploadRefused(_("the PDF has no pages"))
        if pages > MAX_PDF_PAGES:
            raise UploadRefused(_("the PDF has more than %(n)s pages") % {"n": MAX_PDF_PAGES})
        for index in range(pages):
            width, height = pdf.get_page_size(index)
            if not (0 < width <= _MAX_PDF_SIDE_POINTS and 0 < height <= _MAX_PDF_SIDE_POINTS):
                raise UploadRefused(_("page %(n)s of the PDF has an impossible size")
                                    % {"n": index + 1})
    finally:
        pdf.close()
    return pages
