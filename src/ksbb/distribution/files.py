"""Checking uploaded evidence by its content, never by its name or declared type."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from ksbb.core.uploads import UploadRefused, check_pdf, image_header

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PAPER_MAX_BYTES = 10 * 1024 * 1024
_IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
                  "WEBP": ("webp", "image/webp")}


class BadUpload(ValueError):
    """The upload is not what it claims to be; the message is translated."""


@dataclass(frozen=True)
class CheckedFile:
    content: ContentFile[bytes]
    content_type: str
    sha256: str


def _read(upload: Any, limit: int) -> bytes:
    if upload is None:
        raise BadUpload(_("choose a file"))
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise BadUpload(_("the file is larger than %(mb)s MB") % {"mb": limit // (1024 * 1024)})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > limit:
        raise BadUpload(_("the file is larger than %(mb)s MB") % {"mb": limit // (1024 * 1024)})
    if not data:
        raise BadUpload(_("the file is empty"))
    return data


def _image_kind(data: bytes) -> tuple[str, str] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        header = image_header(data)  # the pixel cap, before anything is decoded
    except UploadRefused as exc:
        raise BadUpload(str(exc)) from exc
    if header is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        return None
    return _IMAGE_FORMATS.get(fmt or "")


def _without_metadata(data: bytes) -> bytes:
    """Re-encode the image so that no EXIF (GPS position, camera owner, device) reaches the
    disk or the public verification page; the BAST records its place on purpose."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        fmt = opened.format or "PNG"
        opened.load()
        image = ImageOps.exif_transpose(opened)
        if fmt == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def _named(data: bytes, ext: str, content_type: str) -> CheckedFile:
    # The stored name is ours: nothing of the uploader's file name reaches the disk.
    name = f"{secrets.token_hex(16)}.{ext}"
    return CheckedFile(ContentFile(data, name=name), content_type,
                       hashlib.sha256(data).hexdigest())


def check_photo(upload: Any) -> CheckedFile:
    data = _read(upload, PHOTO_MAX_BYTES)
    kind = _image_kind(data)
    if kind is None:
        raise BadUpload(_("only JPEG, PNG or WebP images are accepted"))
    return _named(_without_metadata(data), *kind)


def check_paper_scan(upload: Any) -> CheckedFile:
    """A scanned signed paper BAST: a PDF (at most 20 pages) or a JPEG/PNG/WebP image."""
    data = _read(upload, PAPER_MAX_BYTES)
    if data.startswith(b"%PDF-"):
        try:
            check_pdf(data)  # parsed, pages counted: not trusted by its first bytes
        except UploadRefused as exc:
            raise BadUpload(str(exc)) from exc
        return _named(data, "pdf", "application/pdf")
    kind = _image_kind(data)
    if kind is None:
        raise BadUpload(_("only a PDF or a JPEG, PNG or WebP image is accepted"))
    return _named(_without_metadata(data), *kind)
