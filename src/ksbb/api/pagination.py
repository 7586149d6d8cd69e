"""List pages: ``limit``/``offset``, at most KSBB_API_MAX_PAGE_SIZE rows per page.

Without a maximum, ``?limit=100000`` returned every row in one response (finding 8 of
issue 14): one request could make a worker build and serialise the whole table.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    @property
    def max_limit(self) -> Any:  # type: ignore[override]
        return settings.KSBB_API_MAX_PAGE_SIZE
