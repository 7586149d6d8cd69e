"""Money as Indonesians write it: ``{{ 15000000|rupiah }}`` gives "Rp 15.000.000"."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def format_rupiah(value: Any) -> str:
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


@register.filter(name="rupiah")
def rupiah(value: Any) -> str:
    return format_rupiah(value)
