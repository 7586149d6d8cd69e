"""Reads for the ideas forum."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Count, Exists, OuterRef, QuerySet, Value

from ksbb.forum.models import Idea, Support

SORTS = {"support": ["-support_count", "-created_at", "-pk"],
         "date": ["-created_at", "-pk"]}


def ideas_list(*, sort: str = "support", status: str | None = None,
               user: Any = None) -> QuerySet[Idea]:
    """Public ideas with ``support_count`` and, for a signed-in user, ``supported``."""
    qs = Idea.objects.select_related("author", "program", "answered_by").annotate(
        support_count=Count("supports", distinct=True))
    if user is not None and getattr(user, "is_authenticated", False):
        qs = qs.annotate(supported=Exists(Support.objects.filter(idea=OuterRef("pk"),
                                                                 user=user)))
    else:
        qs = qs.annotate(supported=Value(False, output_field=BooleanField()))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(*SORTS.get(sort, SORTS["support"]))
