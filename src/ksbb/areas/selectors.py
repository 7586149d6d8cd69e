"""Reads of the area tree: finding a place by the name people know it by.

People name a place ("Gambir", "Gambir RW 3", "Gambir - Kec. Gambir - Kota Jakarta Pusat"),
not by its Kemendagri code; the code is still accepted. Every form that asks for an area
resolves the text here (:func:`area_resolve`) and its suggestions come from here too
(:func:`area_search`), so both agree on what a text means.

The name search is a case-insensitive prefix match on ``Area.name``; migration 0002 gives it
an index on both databases (SQLite: ``name COLLATE NOCASE``, PostgreSQL:
``UPPER(name) text_pattern_ops``), so a search over all of Indonesia's ~90,000 villages
reads a few index pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from ksbb.areas.models import Area
from ksbb.core import areacodes

Level = Area.Level

# What a text may say about its level: "Kec. Gambir", "Kelurahan Gambir", "Kota Bandung".
_LEVEL_PREFIXES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^(?:kec\.?|kecamatan)\s+", re.I), Level.DISTRICT),
    (re.compile(r"^(?:kel\.?|kelurahan|desa|ds\.?)\s+", re.I), Level.VILLAGE),
    (re.compile(r"^(?:prov\.?|provinsi)\s+", re.I), Level.PROVINCE),
)
_RW_RE = re.compile(r"^(?:(?P<village>.*?)[\s,]+)?RW\.?\s*0*(?P<number>\d{1,3})$", re.I)
# " - " between the parts of a label; commas and dashes typed by people work as well.
_SPLIT_RE = re.compile(r"\s+[-\u2013\u2014]\s+|\s*,\s*|\s*[\u2013\u2014]\s*")
_CODE_PREFIX_RE = re.compile(r"^\d{2}(\.\d{0,4})*$")
_SPACES = re.compile(r"\s+")
_SHORT_REGENCY = (
    (re.compile(r"^kota administrasi\s+", re.I), "Kota "),
    (re.compile(r"^kabupaten administrasi\s+", re.I), "Kab. "),
    (re.compile(r"^kabupaten\s+", re.I), "Kab. "),
)
_PARENTS = "parent__parent__parent__parent"


def _regency_short(name: str) -> str:
    for pattern, short in _SHORT_REGENCY:
        if pattern.match(name):
            return pattern.sub(short, name, count=1)
    return name


def _part_label(area: Area) -> str:
    if area.level == Level.DISTRICT:
        return f"Kec. {area.name}"
    if area.level == Level.REGENCY:
        return _regency_short(area.name)
    return area.name


def _chain(area: Area) -> list[Area]:
    """The area and its parents, innermost first (parents come from select_related)."""
    chain = []
    node: Area | None = area
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def area_label(area: Area) -> str:
    """How a place is shown and typed: ``Gambir - Kec. Gambir - Kota Jakarta Pusat``;
    an RW: ``Gambir RW 003 - Kec. Gambir - Kota Jakarta Pusat``; a regency shows its
    province; a province its name. :func:`area_resolve` reads each back to its area."""
    chain = _chain(area)
    if area.level == Level.RW:
        village = chain[1] if len(chain) > 1 else None
        head = f"{village.name} {area.name}" if village else area.name
        rest = chain[2:4]
    else:
        head = _part_label(area)
        # A village shows its district and regency; a district its regency; a regency its
        # province: enough to tell the places of one name apart.
        rest = chain[1:3] if area.level == Level.VILLAGE else chain[1:2]
    return " - ".join([head, *(_part_label(a) for a in rest)])


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def _part_names(area: Area) -> set[str]:
    """The ways a parent may be named in a typed text."""
    names = {_norm(area.name), _norm(_part_label(area))}
    if area.level == Level.REGENCY:
        # "Jakarta Pusat" for "Kota Administrasi Jakarta Pusat".
        names.add(_norm(re.sub(r"^(kota|kab\.)\s+", "", _regency_short(area.name), flags=re.I)))
    return names


def _strip_level(text: str) -> tuple[str, int | None]:
    for pattern, level in _LEVEL_PREFIXES:
        if pattern.match(text):
            return pattern.sub("", text, count=1).strip(), level
    return text, None


def _with_parents(qs: QuerySet[Area]) -> QuerySet[Area]:
    return qs.select_related(_PARENTS)


def _fits_parents(area: Area, parents: list[str]) -> bool:
    """Every parent named in the text is one of the area's parents."""
    if not parents:
        return True
    names: set[str] = set()
    for node in _chain(area)[1:]:
        names |= _part_names(node)
    return all(_norm(p) in names or _norm(_strip_level(p)[0]) in names for p in parents)


@dataclass(frozen=True)
class _Query:
    name: str
    level: int | None
    rw: int | None
    parents: list[str] = field(default_factory=list)


def _parse(text: str) -> _Query | None:
    parts = [p for p in _SPLIT_RE.split(text.strip()) if p]
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    if rest and (alone := _RW_RE.match(rest[0])) and not alone.group("village"):
        # "Gambir, RW 3": the RW after its village.
        head, rest = f"{head} RW {alone.group('number')}", rest[1:]
    rw_match = _RW_RE.match(head)
    if rw_match:
        village = (rw_match.group("village") or "").strip()
        if not village:
            if not rest:
                return None
            village, rest = rest[0], rest[1:]
        name, _level = _strip_level(village)
        return _Query(name, Level.VILLAGE, int(rw_match.group("number")), rest)
    name, level = _strip_level(head)
    if level is None and _REGENCY_WORDS.match(name):
        level = Level.REGENCY
    return _Query(name, level, None, rest)


def _levels(levels: Iterable[int] | None) -> set[int]:
    return set(levels) if levels else set(Level.values)


_REGENCY_WORDS = re.compile(r"^(?:kota|kab\.?|kabupaten)(?:\s+(?:administrasi|adm\.?))?\s+",
                            re.I)


def _named(query: _Query, *, exact: bool) -> QuerySet[Area]:
    """Villages, districts and provinces called ``query.name``, or whose name starts with
    it (the indexed search)."""
    qs = Area.objects.exclude(level__in=[Level.RW, Level.REGENCY])
    if query.level is not None:
        qs = qs.filter(level=query.level)
    lookup = "name__iexact" if exact else "name__istartswith"
    return qs.filter(**{lookup: query.name})


def _regencies(query: _Query, *, exact: bool) -> list[Area]:
    """Regencies and cities: their names are written in several ways ("Kota Administrasi
    Jakarta Pusat", "Kota Jakarta Pusat", "Jakarta Pusat"); there are ~500 of them."""
    core = _REGENCY_WORDS.sub("", query.name).strip()
    if not core:
        return []
    qs = _with_parents(Area.objects.filter(level=Level.REGENCY, name__icontains=core))
    wanted = _norm(query.name)
    return [a for a in qs.order_by("name")[:50]
            if any(n == wanted if exact else n.startswith(wanted) for n in _part_names(a))]


def _candidates(query: _Query, *, exact: bool, limit: int) -> list[Area]:
    found: list[Area] = []
    if query.level in (None, Level.REGENCY):
        found += _regencies(query, exact=exact)
    if query.level != Level.REGENCY:
        qs = _with_parents(_named(query, exact=exact)).order_by("name", "code")
        # Parents narrow the few areas of one name; read a few more than asked for them.
        found += list(qs[: limit * 5 if query.parents else limit])
    return [a for a in found if _fits_parents(a, query.parents)][:limit]


def _rws_of(villages: list[Area], number: int | None) -> list[Area]:
    qs = Area.objects.filter(level=Level.RW, parent__in=villages)
    if number is not None:
        if not 1 <= number <= 999:
            return []
        qs = qs.filter(code__in=[areacodes.rw_code(v.code, number) for v in villages])
    return list(_with_parents(qs).order_by("code"))


@dataclass(frozen=True)
class Resolution:
    """What a typed text names: ``area`` when exactly one place, otherwise ``problem``
    (``unknown_code``, ``unknown``, ``ambiguous``, ``no_rw``, ``wrong_level``) and the
    places to offer instead (``matches``: the ambiguous ones, or close names)."""

    area: Area | None
    problem: str = ""
    matches: tuple[Area, ...] = ()
    name: str = ""
    rw: int | None = None


def area_by_code(code: str) -> Area | None:
    return _with_parents(Area.objects.filter(code=code.strip())).first()


def area_resolve(text: str, *, levels: Iterable[int] | None = None) -> Resolution:
    """The one area ``text`` names: a Kemendagri code (``31.71.01.1001``), a name
    (``Gambir``), a name with parents (``Gambir - Kec. Gambir - Jakarta Pusat``, as
    :func:`area_label` writes it) or an RW (``Gambir RW 3``, ``RW 003 - Gambir``).
    ``levels`` limits the answer to those levels (e.g. village and RW)."""
    wanted = _levels(levels)
    text = _SPACES.sub(" ", text).strip()
    if areacodes.is_valid(text):
        area = area_by_code(text)
        if area is None:
            return Resolution(None, "unknown_code", name=text)
        if area.level not in wanted:
            return Resolution(None, "wrong_level", (area,), name=text)
        return Resolution(area)
    query = _parse(text)
    if query is None:
        return Resolution(None, "unknown", name=text)
    exact = _candidates(query, exact=True, limit=20)
    if query.rw is not None:
        villages = [a for a in exact if a.level == Level.VILLAGE]
        if not villages:
            return Resolution(None, "unknown", tuple(_close(query, wanted)), name=query.name,
                              rw=query.rw)
        rws = _rws_of(villages, query.rw)
        if Level.RW not in wanted:
            return Resolution(None, "wrong_level", tuple(rws or villages), name=query.name,
                              rw=query.rw)
        if len(rws) == 1:
            return Resolution(rws[0])
        if not rws:
            return Resolution(None, "no_rw", tuple(villages), name=query.name, rw=query.rw)
        return Resolution(None, "ambiguous", tuple(rws), name=query.name, rw=query.rw)
    fitting = [a for a in exact if a.level in wanted]
    if len(fitting) == 1:
        return Resolution(fitting[0])
    if len(fitting) > 1:
        return Resolution(None, "ambiguous", tuple(fitting), name=query.name)
    if exact:
        return Resolution(None, "wrong_level", tuple(exact), name=query.name)
    return Resolution(None, "unknown", tuple(_close(query, wanted)), name=query.name)


def _close(query: _Query, wanted: set[int], limit: int = 5) -> list[Area]:
    """Places whose name starts like the typed one (first three letters at worst)."""
    for size in (len(query.name), 5, 3):
        if size > len(query.name) or size < 3:
            continue
        probe = _Query(query.name[:size], query.level, None, query.parents)
        found = [a for a in _candidates(probe, exact=False, limit=limit * 3)
                 if a.level in wanted or (Level.RW in wanted and a.level == Level.VILLAGE)]
        if found:
            return found[:limit]
    return []


def area_search(text: str, *, levels: Iterable[int] | None = None, limit: int = 10
                ) -> list[Area]:
    """Suggestions while someone types: places whose name starts with the text (parents
    narrow them), best first; once the text names one village, that village's RWs; a
    code or the start of one, the areas under it."""
    wanted = _levels(levels)
    text = _SPACES.sub(" ", text).strip()
    if len(text) < 2:
        return []
    if _CODE_PREFIX_RE.match(text):
        qs = Area.objects.filter(level__in=wanted, code__startswith=text)
        return list(_with_parents(qs).order_by("code")[:limit])
    resolved = area_resolve(text, levels=Level.values)
    if resolved.area is not None:
        area = resolved.area
        if area.level == Level.VILLAGE and Level.RW in wanted:
            rws = _rws_of([area], None)
            return ([area] if area.level in wanted else []) + rws[: limit - 1]
        return [area] if area.level in wanted else []
    query = _parse(text)
    if query is None:
        return []
    if query.rw is not None:
        villages = [a for a in _candidates(query, exact=False, limit=limit)
                    if a.level == Level.VILLAGE]
        rws = _rws_of(villages, None)
        number = str(query.rw)
        return [r for r in rws if r.code.rsplit(".", 1)[1].lstrip("0").startswith(number)
                ][:limit] if Level.RW in wanted else []
    hits = _candidates(query, exact=False, limit=limit * 3)
    # A village is offered when RWs are wanted: its RWs come once it is picked.
    usable = [a for a in hits
              if a.level in wanted or (Level.RW in wanted and a.level == Level.VILLAGE)]
    exact_name = _norm(query.name)
    usable.sort(key=lambda a: (_norm(a.name) != exact_name, -a.level, a.name))
    return usable[:limit]


__all__ = ["Resolution", "area_by_code", "area_label", "area_resolve", "area_search"]
