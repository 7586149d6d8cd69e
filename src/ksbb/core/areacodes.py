"""Kemendagri area codes: ``31`` > ``31.71`` > ``31.71.01`` > ``31.71.01.1001`` > ``.003``.

Pure functions, no database: the one place the project takes a code apart (its village,
its regency, its parents, whether it lies inside another). Use these rather than
``code.split(".")``.

The allocation engine (``ksbb.allocation.engine``) keeps its own two-line copy
(``code_parts`` / ``shared_components`` in ``engine/problem.py``): it is a standalone
library that imports nothing from the project, so it can be run and tested on its own.
"""

from __future__ import annotations

import re
from enum import IntEnum

from django.db.models import Q


class Level(IntEnum):
    PROVINCE = 1
    REGENCY = 2
    DISTRICT = 3
    VILLAGE = 4
    RW = 5


_CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4}(\.\d{3})?)?)?)?$")


def is_valid(code: str) -> bool:
    return bool(_CODE_RE.match(code))


def level_of(code: str) -> Level:
    if not is_valid(code):
        raise ValueError(f"{code!r} is not a Kemendagri area code such as 31.71.01.1001")
    return Level(code.count(".") + 1)


def parent_of(code: str) -> str | None:
    level_of(code)
    return code.rsplit(".", 1)[0] if "." in code else None


def rw_code(village_code: str, rw_number: int) -> str:
    if level_of(village_code) != Level.VILLAGE:
        raise ValueError(f"{village_code!r} is not a village code")
    if not 1 <= rw_number <= 999:
        raise ValueError(f"RW number {rw_number} is outside 1-999")
    return f"{village_code}.{rw_number:03d}"


def is_within(code: str, ancestor: str) -> bool:
    """True when ``code`` is ``ancestor`` itself or lies inside it."""
    return code == ancestor or code.startswith(ancestor + ".")


def within_q(field: str, code: str) -> Q:
    """:func:`is_within` in SQL: rows whose ``field`` (a foreign key to an area, such as
    ``"area"`` or ``"recipient__area"``) is ``code`` or lies inside it."""
    return Q(**{f"{field}_id": code}) | Q(**{f"{field}__code__startswith": f"{code}."})


def ancestor_at(code: str, level: Level | int) -> str | None:
    """The area at ``level`` that contains ``code`` (``code`` itself at its own level);
    None when ``code`` is above that level. For codes read from the database: not
    validated, so it is cheap in loops."""
    parts = code.split(".")
    return ".".join(parts[:level]) if len(parts) >= level else None


def province_of(code: str) -> str:
    return code.split(".", 1)[0]


def regency_of(code: str) -> str | None:
    """The regency or city (``31.71``) of a code at that level or below."""
    return ancestor_at(code, Level.REGENCY)


def village_of(code: str) -> str | None:
    """The village (kelurahan/desa, ``31.71.01.1001``) of a village or RW code."""
    return ancestor_at(code, Level.VILLAGE)


def ancestors(code: str, *, top: Level = Level.PROVINCE, include_self: bool = False
              ) -> list[str]:
    """The areas containing ``code``, outermost first, from level ``top`` down:
    ``ancestors("31.71.01", top=Level.REGENCY, include_self=True)`` is
    ``["31.71", "31.71.01"]``."""
    parts = code.split(".")
    last = len(parts) if include_self else len(parts) - 1
    return [".".join(parts[:n]) for n in range(int(top), last + 1)]


def shared_components(a: str, b: str) -> int:
    shared = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        shared += 1
    return shared


__all__ = ["Level", "ancestor_at", "ancestors", "is_valid", "is_within", "level_of",
           "parent_of", "province_of", "regency_of", "rw_code", "shared_components",
           "village_of", "within_q"]
