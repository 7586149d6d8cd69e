"""Words for the allocation engine's codes on the review page (the engine speaks English)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The level two area codes share, as the engine names it (engine/problem.py LEVELS).
LOCALITY = {
    "rw": _("same RW"),
    "village": _("same village"),
    "district": _("same district"),
    "regency": _("same regency/city"),
    "province": _("same province"),
    "other": _("another province"),
}


@register.filter(name="locality")
def locality(value: Any) -> str:
    return str(LOCALITY.get(str(value), value))
