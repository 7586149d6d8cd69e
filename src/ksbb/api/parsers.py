"""The API's JSON parser, with a depth limit.

JSON nested 100,000 deep made Python's parser raise RecursionError (a 500); anything deeper
than a few levels is not a request any endpoint takes. Refused with 400 before a
serializer sees it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            items = value.values() if isinstance(value, dict) else value
            stack.extend((v, depth + 1) for v in items if isinstance(v, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested more than %(n)s levels deep.")
                             % {"n": MAX_DEPTH}) from None
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(_("The JSON is nested more than %(n)s levels deep.")
                             % {"n": MAX_DEPTH})
        return data
