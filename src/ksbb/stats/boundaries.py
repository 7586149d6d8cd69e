"""Area boundaries from a GeoJSON file, matched to areas by their Kemendagri code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor
from ksbb.stats.models import AreaBoundary

# Digits per component of a Kemendagri code: province, regency, district, village, RW.
CODE_PARTS = (2, 2, 2, 4, 3)
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


class BoundaryFileError(ValueError):
    """The file is not a GeoJSON FeatureCollection of polygons: nothing was loaded."""


@dataclass
class BoundaryReport:
    matched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: list[str] = field(default_factory=list)  # codes (or "#n" without a code)


def normalise_code(raw: Any) -> str:
    """``"3171"`` -> ``"31.71"``; codes with dots are kept (spaces trimmed)."""
    code = str(raw).strip()
    if "." in code or not code.isdigit():
        return code
    parts, pos = [], 0
    for width in CODE_PARTS:
        if pos >= len(code):
            break
        parts.append(code[pos:pos + width])
        pos += width
    if pos < len(code):  # longer than an RW code: leave it, it will not match
        return code
    return ".".join(parts)


def read_features(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BoundaryFileError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise BoundaryFileError("not a GeoJSON FeatureCollection")
    for n, feature in enumerate(data["features"], start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES \
                or not isinstance(geometry.get("coordinates"), list):
            raise BoundaryFileError(f"feature {n}: the geometry is not a Polygon or "
                                    "MultiPolygon")
    return list(data["features"])


def boundaries_load(*, features: list[dict[str, Any]], level: int | None = None,
                    code_property: str = "code", by: Actor) -> BoundaryReport:
    """Store each feature's geometry on the area with its code (and ``level`` if given).

    Idempotent (a second run changes nothing) and all or nothing (one transaction).
    Features that match no area are counted and listed, not stored.
    """
    report = BoundaryReport()
    wanted: dict[str, str] = {}
    for n, feature in enumerate(features, start=1):
        raw = (feature.get("properties") or {}).get(code_property)
        if raw in (None, ""):
            report.unmatched.append(f"#{n}")
            continue
        wanted[normalise_code(raw)] = json.dumps(feature["geometry"], separators=(",", ":"))
    areas = Area.objects.filter(code__in=wanted)
    if level is not None:
        areas = areas.filter(level=level)
    found = {a.code: a for a in areas}
    report.unmatched += sorted(c for c in wanted if c not in found)
    with transaction.atomic():
        existing = {b.area_id: b for b in AreaBoundary.objects.select_for_update().filter(
            area_id__in=found)}
        for code, area in sorted(found.items()):
            report.matched += 1
            old = existing.get(code)
            if old is None:
                AreaBoundary.objects.create(area=area, level=area.level, geometry=wanted[code])
                report.created += 1
            elif old.geometry != wanted[code] or old.level != area.level:
                old.geometry, old.level = wanted[code], area.level
                old.save(update_fields=["geometry", "level", "updated_at"])
                report.updated += 1
            else:
                report.unchanged += 1
        if report.created or report.updated:
            audit_log(actor=by, action="boundaries.load", object_type="stats.areaboundary",
                      object_id=",".join(sorted(found))[:100],  # the column holds 100
                      after={"matched": report.matched, "created": report.created,
                             "updated": report.updated,
                             "unmatched": len(report.unmatched)})
    return report


def boundaries_geojson(codes: list[str]) -> dict[str, Any] | None:
    """A FeatureCollection of the stored boundaries of ``codes`` (feature name = code),
    or None when none of them has one."""
    features = [
        {"type": "Feature", "properties": {"name": code}, "geometry": json.loads(geometry)}
        for code, geometry in AreaBoundary.objects.filter(area_id__in=codes).values_list(
            "area_id", "geometry")
    ]
    return {"type": "FeatureCollection", "features": features} if features else None


# The boundaries shipped in the package (ksbb/areas/data/boundaries, CC BY-IGO; see its
# README for the attribution every map shows). Coarse layers first: a finer layer of the same
# area wins, so that Jakarta's regencies come from the 5 m layer, not the national 1 km one.
SHIPPED_LAYERS = (
    "indonesia-provinces", "indonesia-regencies",
    "jakarta-regencies", "jakarta-districts", "jakarta-villages",
)
ATTRIBUTION = _(
    "Administrative boundaries: BPS – Statistics Indonesia, via OCHA / HDX COD-AB Indonesia "
    "(idn_adm_bps_20200401), licensed CC BY-IGO. Modified by KSBB: simplified, dissolved and "
    "re-coded to Kemendagri codes. Area codes and names: idn-area-data (Kemendagri), ODbL 1.0."
)


def shipped_features(provinces: list[str] | None = None) -> list[dict[str, Any]]:
    """The shipped features of ``provinces`` (all when None), one per area code."""
    import gzip
    from importlib import resources

    folder = resources.files("ksbb.areas") / "data" / "boundaries"
    merged: dict[str, dict[str, Any]] = {}
    for layer in SHIPPED_LAYERS:
        raw = gzip.decompress((folder / f"{layer}.geojson.gz").read_bytes())
        for feature in read_features(raw.decode("utf-8")):
            code = normalise_code((feature.get("properties") or {}).get("code", ""))
            if provinces is None or areacodes.province_of(code) in provinces:
                merged[code] = feature
    return [merged[code] for code in sorted(merged)]


def boundaries_load_shipped(*, provinces: list[str] | None = None, by: Actor) -> BoundaryReport:
    """Load the shipped boundaries of the areas present (``ksbb load_areas`` calls this)."""
    features = shipped_features(provinces)
    present = set(Area.objects.filter(
        code__in=[f["properties"]["code"] for f in features]).values_list("code", flat=True))
    return boundaries_load(features=[f for f in features if f["properties"]["code"] in present],
                           by=by)


def children_geojson(parent: str | None) -> bytes:
    """The boundaries of the children of ``parent`` (regencies/cities when None) as one
    GeoJSON FeatureCollection (property ``code``), serialised; empty features when none."""
    children = (Area.objects.filter(parent_id=parent) if parent
                else Area.objects.filter(level=Area.Level.REGENCY))
    rows = AreaBoundary.objects.filter(area__in=children).values_list(
        "area_id", "area__name", "geometry").order_by("area_id")
    # The stored geometry is already compact JSON: splice it in rather than parse it again.
    parts = [f'{{"type":"Feature","properties":{json.dumps({"code": code, "name": name})},'
             f'"geometry":{geometry}}}' for code, name, geometry in rows]
    return ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode()


def provinces_geojson() -> bytes:
    """Every province's outline (the national map): the stored ones, and the shipped layer's
    for the provinces whose areas are not loaded, so the map shows the whole country."""
    import gzip
    from importlib import resources

    rows = {code: (name, geometry) for code, name, geometry in AreaBoundary.objects.filter(
        level=Area.Level.PROVINCE).values_list("area_id", "area__name", "geometry")}
    folder = resources.files("ksbb.areas") / "data" / "boundaries"
    raw = gzip.decompress((folder / "indonesia-provinces.geojson.gz").read_bytes())
    for feature in read_features(raw.decode("utf-8")):
        props = feature.get("properties") or {}
        code = normalise_code(props.get("code", ""))
        if code and code not in rows:
            rows[code] = (str(props.get("name", code)),
                          json.dumps(feature["geometry"], separators=(",", ":")))
    parts = [f'{{"type":"Feature","properties":{json.dumps({"code": code, "name": name})},'
             f'"geometry":{geometry}}}' for code, (name, geometry) in sorted(rows.items())]
    return ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode()
