"""The maps of the public pages: area outlines as GeoJSON (``/maps/areas.geojson``) and the
context of the choropleth include (``public/_area_map.html``, drawn by js/area_map.js).

Every map is also a table: without JavaScript (or ECharts) the table is what shows.
"""

from __future__ import annotations

import gzip
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode

from ksbb.core import areacodes
from ksbb.stats.boundaries import ATTRIBUTION, children_geojson, provinces_geojson

GEOMETRY_SECONDS = 3600


def geometry(request: HttpRequest) -> HttpResponse:
    """The outlines of the children of ``?parent=`` (regencies/cities without it; the
    provinces with ``?level=1``, for the national map)."""
    parent = request.GET.get("parent", "").strip() or None
    provinces = request.GET.get("level", "") == "1" and parent is None
    if parent is not None and (not areacodes.is_valid(parent)
                               or areacodes.level_of(parent) > 3):
        raise Http404("no map below a district")
    key = f"ksbb:geo:{parent or ''}:{'p' if provinces else ''}"
    stored = cache.get(key)
    if stored is None:
        raw = provinces_geojson() if provinces else children_geojson(parent)
        stored = (raw, gzip.compress(raw, 6, mtime=0))
        cache.set(key, stored, GEOMETRY_SECONDS)
    raw, packed = stored
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(packed, content_type="application/geo+json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(raw, content_type="application/geo+json")
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = f"public, max-age={GEOMETRY_SECONDS}"
    return response


def map_block(*, rows: list[dict[str, Any]], parent: str | None, title: str,
              done_label: str, need_label: str, drawable: bool, map_id: str = "map",
              crumbs: list[tuple[str, str]] | None = None,
              action_label: str = "", with_table: bool = True,
              level: int | None = None) -> dict[str, Any]:
    """What ``public/_area_map.html`` needs. ``rows``: dicts with code, label, need, done,
    percent (None without need), href (drill-down or pledge link, or "") and action (the
    link's text when it is an action rather than a drill-down). ``crumbs``: (label, href)
    from the top, the last one the area shown (href ""). ``level`` 1: the provinces (the
    national map), instead of the children of ``parent``."""
    query = {"parent": parent} if parent else ({"level": level} if level == 1 else {})
    geo_url = reverse("web:map_geometry") + (f"?{urlencode(query)}" if query else "")
    return {"id": map_id, "data_id": f"{map_id}-data", "title": title, "rows": rows,
            "drawable": drawable and bool(rows), "crumbs": crumbs or [],
            "action_label": action_label, "with_table": with_table,
            "attribution": ATTRIBUTION,
            "data": {"geo_url": geo_url, "rows": rows, "done_label": done_label,
                     "need_label": need_label}}
