"""The one way pages and the API hand over a file: a document made on the fly (bytes:
receipts, BASTs, exports) or a stored file (an open file: receipts, photos)."""

from __future__ import annotations

import mimetypes
from typing import IO, overload

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header


@overload
def file_response(content: bytes, *, filename: str = "", content_type: str | None = None,
                  attachment: bool = True, cache_control: str | None = None) -> HttpResponse:
    ...


@overload
def file_response(content: IO[bytes], *, filename: str = "", content_type: str | None = None,
                  attachment: bool = True, cache_control: str | None = None) -> FileResponse:
    ...


def file_response(content: bytes | IO[bytes], *, filename: str = "",
                  content_type: str | None = None, attachment: bool = True,
                  cache_control: str | None = None) -> HttpResponseBase:
    """``content`` under ``filename``: downloaded (``attachment``) or shown in the browser
    (inline). The content type is guessed from the file name when not given. Personal
    documents pass ``cache_control="private, no-store"``."""
    response: HttpResponseBase
    if isinstance(content, bytes):
        guessed = mimetypes.guess_type(filename)[0] if filename else None
        response = HttpResponse(content,
                                content_type=content_type or guessed or "application/octet-stream")
        if disposition := content_disposition_header(attachment, filename):
            response["Content-Disposition"] = disposition
    else:
        # A stored file is streamed; without a name, FileResponse uses the stored one.
        response = FileResponse(content, as_attachment=attachment, filename=filename,
                                content_type=content_type)
    if cache_control:
        response["Cache-Control"] = cache_control
    return response
