"""Uploaded images lose their EXIF (GPS position, device) before they are stored."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from ksbb.distribution.files import check_paper_scan, check_photo
from ksbb.reports.photos import clean_photo


def _jpeg_with_gps() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Artist] = "Budi Santoso"
    exif[ExifTags.IFD.GPSInfo] = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buf, format="JPEG", exif=exif)
    data = buf.getvalue()
    with Image.open(io.BytesIO(data)) as probe:
        assert probe.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture does carry GPS
    return SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")


def _exif_of(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as img:
        return img.getexif()


@pytest.mark.parametrize("check", [check_photo, check_paper_scan])
def test_handover_images_are_stored_without_exif(check):
    checked = check(_jpeg_with_gps())
    data = checked.content.read()
    exif = _exif_of(data)
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Artist not in exif
    assert b"Budi Santoso" not in data and b"PhoneMaker" not in data
    assert checked.content_type == "image/jpeg"


def test_misuse_report_photos_are_stored_without_exif():
    data = clean_photo(_jpeg_with_gps()).content.read()
    assert not _exif_of(data).get_ifd(ExifTags.IFD.GPSInfo) and b"Budi Santoso" not in data
