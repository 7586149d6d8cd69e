"""Reading a problem file fast: decoding and checking in one typed pass (msgspec).

`load_problem` checks a decoded document record by record in Python, about 3 µs each: most
of a second for a national problem (285,000 records), on top of decoding the JSON. msgspec
decodes straight into typed records and checks types and signs as it goes, in C. The checks
it cannot express cheaply (area codes, blank strings, duplicates) run here on the distinct
values only.

It only ever accelerates: whenever anything is unusual (a decoding or type error, a bad code,
a duplicate, a number too large for it), `read_problem` returns None and the caller goes
through `load_problem`, which is the one definition of what is valid and names the record at
fault. What this path accepts, `load_problem` accepts too, and gives the same Problem: the
tests load the same files both ways.

`run_file` uses it for big files only (see there): importing msgspec costs about 12 ms.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

import msgspec

from .problem import (
    _ID,
    _RECIPIENT_ITEM,
    MAX_QUANTITY,
    Need,
    Pledge,
    Problem,
    _new_need,
    _valid_code,
)

__all__ = ["read_problem"]

_RECIPIENT, _ITEM, _AREA = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(4)
_Quantity = Annotated[int, msgspec.Meta(ge=0, le=MAX_QUANTITY)]


class _Pledge(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    id: str
    item: str
    quantity: _Quantity
    area: str
    restrict_to: str | None = None


class _Need(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    recipient: str
    item: str
    quantity: _Quantity
    priority: Annotated[int, msgspec.Meta(ge=1)]
    area: str


class _Problem(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    pledges: list[_Pledge]
    needs: list[_Need]


_decoder: Any = None


def read_problem(raw: bytes) -> Problem | None:
    """The Problem in `raw` (a JSON document), or None if anything in it is unusual: the
    caller then decodes it and calls `load_problem`."""
    global _decoder
    if _decoder is None:
        _decoder = msgspec.json.Decoder(_Problem)
    try:
        decoded = _decoder.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    pledges = [Pledge(p.id, p.item, p.quantity, p.area, p.restrict_to) for p in decoded.pledges]
    needs = [_new_need(Need, (n.recipient, n.item, n.quantity, n.priority, n.area))
             for n in decoded.needs]
    del decoded
    if len(set(map(_ID, pledges))) != len(pledges):
        return None  # a duplicate id
    if len(set(map(_RECIPIENT_ITEM, needs))) != len(needs):
        return None  # a duplicate need line
    # Blank strings (msgspec checks only that they are strings).
    items = {p.item for p in pledges}
    items.update(map(_ITEM, needs))
    for column in ([p.id for p in pledges], items, list(map(_RECIPIENT, needs))):
        if "" in column or any(map(str.isspace, column)):
            return None
    codes = {p.area for p in pledges}
    codes.update(p.restrict_to for p in pledges if p.restrict_to is not None)
    codes.update(map(_AREA, needs))
    if not all(map(_valid_code, codes)):
        return None
    # Keys are distinct, so sorting the records themselves sorts them by key, without making
    # a key per record.
    pledges.sort()
    needs.sort()
    return Problem(tuple(pledges), tuple(needs))
