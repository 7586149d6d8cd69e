"""Purchase receipt documents: checked by content (not by the name or the browser's word),
limited in size, and stored under a name the server makes up."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from ksbb.core.uploads import UploadRefused, check_pdf, image_header

RECEIPT_MAX_BYTES = 5 * 1024 * 1024

# Leading bytes of the formats a receipt may have, and the extension stored.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
]


def receipt_kind(head: bytes) -> str | None:
    """``pdf``, ``png`` or ``jpg`` from the first bytes; None for anything else."""
    for signature, ext in _SIGNATURES:
        if head.startswith(signature):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def clean_receipt(upload: Any) -> ContentFile[bytes]:
    """The upload as a file named ``<random>.<ext>``, or a ValidationError on ``receipt``."""
    size = getattr(upload, "size", None)
    if size is not None and size > RECEIPT_MAX_BYTES:
        raise ValidationError({"receipt": [_too_big()]})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(RECEIPT_MAX_BYTES + 1)
    if len(data) > RECEIPT_MAX_BYTES:
        raise ValidationError({"receipt": [_too_big()]})
    if not data:
        raise ValidationError({"receipt": [_("the receipt file is empty")]})
    ext = receipt_kind(data[:16])
    if ext is None:
        raise ValidationError({"receipt": [
            _("the receipt must be a PDF or an image (JPEG, PNG or WebP)")]})

    try:
        # Parsed, not only recognised: a PDF must open, an image stays under the one
        # pixel cap (checked from its header, nothing decoded).
        if ext == "pdf":
            check_pdf(data)
        elif image_header(data) is None:
            raise UploadRefused(_("the receipt is not a readable image"))
    except UploadRefused as exc:
        raise ValidationError({"receipt": [str(exc)]}) from exc
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{ext}")


def _too_big() -> str:
    return _("the receipt is larger than %(mb)s MB") % {"mb": RECEIPT_MAX_BYTES // (1024 * 1024)}
