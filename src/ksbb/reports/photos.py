"""Checking uploaded photos by their content (Pillow), not by their name or header."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ksbb.core.uploads import UploadRefused, image_header

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
           "WEBP": ("webp", "image/webp")}


class PhotoRejected(ValueError):
    """The upload is not an acceptable photo; the message is translated."""


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile[bytes]
    content_type: str
    size: int


def clean_photo(upload: Any) -> CleanPhoto:
    """Open and verify the image, accept JPEG/PNG/WebP up to 5 MB, and re-encode it, which
    also drops metadata such as GPS positions. The stored name is random."""
    size = getattr(upload, "size", None)
    if size is None or size > MAX_PHOTO_BYTES:
        raise PhotoRejected(_("a photo may be at most 5 MB"))
    upload.seek(0)
    raw = upload.read(MAX_PHOTO_BYTES + 1)
    if len(raw) > MAX_PHOTO_BYTES:
        raise PhotoRejected(_("a photo may be at most 5 MB"))

    try:
        image_header(raw)  # the one pixel cap, before anything is decoded
    except UploadRefused as exc:
        raise PhotoRejected(str(exc)) from exc
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in FORMATS:
            raise PhotoRejected(_("only JPEG, PNG and WebP photos are accepted"))
        with Image.open(io.BytesIO(raw)) as opened:
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened)
            out = io.BytesIO()
            if fmt == "JPEG":
                if image.mode not in ("RGB", "L", "CMYK"):
                    image = image.convert("RGB")
                image.save(out, format="JPEG", quality=88)
            else:
                image.save(out, format=fmt)
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise PhotoRejected(_("the file is not a JPEG, PNG or WebP image")) from exc
    ext, content_type = FORMATS[fmt]
    data = out.getvalue()
    return CleanPhoto(ContentFile(data, name=f"{uuid.uuid4().hex}.{ext}"), content_type,
                      len(data))
