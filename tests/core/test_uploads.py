"""Issue 14, finding 7: one pixel cap for every image upload, checked before decoding;
PDFs parsed rather than trusted by their first bytes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ksbb.core import uploads
from tests.uploads import pdf, png, png_claiming


def test_the_cap_is_read_from_the_header(monkeypatch):
    assert uploads.image_header(png((10, 10))) == ("PNG", 10, 10)
    with pytest.raises(uploads.UploadRefused, match="40 million pixels"):
        uploads.image_header(png_claiming(12_000, 12_000))
    with pytest.raises(uploads.UploadRefused):
        uploads.image_header(png_claiming(40_001, 1_000))
    assert uploads.image_header(b"not an image") is None


def test_report_photos_have_the_same_cap():
    from ksbb.reports.photos import PhotoRejected, clean_photo

    with pytest.raises(PhotoRejected, match="million pixels"):
        clean_photo(SimpleUploadedFile("a.png", png_claiming(12_000, 12_000)))
    assert clean_photo(SimpleUploadedFile("a.png", png())).content_type == "image/png"


def test_receipts_have_the_same_cap_and_pdfs_are_parsed():
    from ksbb.donations.uploads import clean_receipt

    with pytest.raises(ValidationError, match="million pixels"):
        clean_receipt(SimpleUploadedFile("r.png", png_claiming(12_000, 12_000)))
    with pytest.raises(ValidationError, match="readable PDF"):
        clean_receipt(SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF"))
    assert clean_receipt(SimpleUploadedFile("r.pdf", pdf())).name.endswith(".pdf")
    assert clean_receipt(SimpleUploadedFile("r.png", png())).name.endswith(".png")


def test_pdf_limits():
    assert uploads.check_pdf(pdf(pages=3)) == 3
    with pytest.raises(uploads.UploadRefused, match="more than 20 pages"):
        uploads.check_pdf(pdf(pages=21))
