"""Kemendagri area codes: ``31`` > ``31.71`` > ``31.71.01`` > ``31.71.01.1001`` > ``.003``.

Pure functions, no database: shared by the importers, the API and the allocation engine.
"""

from __future__ import annotations

import re
from enum import IntEnum


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


def shared_components(a: str, b: str) -> int:
    shared = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        shared += 1
    return shared


__all__ = ["Level", "is_valid", "is_within", "level_of", "parent_of", "rw_code",
           "shared_components"]
