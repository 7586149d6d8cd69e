"""Open data: the catalogue page and the downloads (CSV, HXL-tagged CSV, JSON, XLSX).

Rows come from ksbb.stats.opendata. Text cells that a spreadsheet would read as a formula
(starting with = + - @, a tab or a carriage return) get a leading single quote in CSV and
XLSX; JSON carries the values as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ksbb.regions.models import Region
from ksbb.stats.opendata import (
    AREAS_LICENCE,
    DATASETS,
    FORMATS,
    LICENCE,
    LICENCE_URL,
    Dataset,
    Row,
    dataset_rows,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "hxl.csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value: Any) -> Any:
    """A value for a spreadsheet cell: dates as ISO text, formula-like text quoted."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(dataset: Dataset, rows: list[Row], *, hxl: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(dataset.names)
    if hxl:
        yield writer.writerow([c.hxl for c in dataset.columns])
    for row in rows:
        yield writer.writerow([safe_cell(row[name]) for name in dataset.names])


def _xlsx(dataset: Dataset, rows: list[Row]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(dataset.slug)
    sheet.append(dataset.names)
    for row in rows:
        sheet.append([safe_cell(row[name]) for name in dataset.names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _filename(dataset: Dataset, fmt: str, region: Any = None) -> str:
    return f"ksbb-{region.slug}-{dataset.slug}.{fmt}" if region else f"ksbb-{dataset.slug}.{fmt}"


def _region(request: HttpRequest) -> Any:
    """``?region=`` (a region's short name or area code): only its rows; unknown: 404."""
    wanted = request.GET.get("region", "").strip()
    if not wanted:
        return None
    region = Region.objects.filter(Q(slug=wanted) | Q(code=wanted)).first()
    if region is None:
        raise Http404("no such region")
    return region


@require_safe
def opendata_index(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    return render(request, "public/opendata.html", {
        "datasets": list(DATASETS.values()), "formats": FORMATS, "licence": LICENCE,
        "licence_url": LICENCE_URL, "region": region,
        "region_query": f"?region={region.slug}" if region else ""})


@require_safe
def opendata_file(request: HttpRequest, dataset: str,
                  fmt: str) -> HttpResponse | StreamingHttpResponse:
    """``/open-data/<dataset>.<csv|json|xlsx|hxl.csv>``."""
    if dataset not in DATASETS or fmt not in FORMATS:
        raise Http404
    ds = DATASETS[dataset]
    region = _region(request)
    rows = dataset_rows(dataset, region=region.code if region else None)
    response: HttpResponse | StreamingHttpResponse
    if fmt == "json":
        body = {"dataset": ds.slug, "licence": LICENCE, "licence_url": LICENCE_URL,
                "areas_licence": AREAS_LICENCE,
                "generated_at": timezone.localtime().isoformat(timespec="seconds"),
                "columns": ds.names, "rows": rows}
        response = JsonResponse(body, encoder=DjangoJSONEncoder,
                                json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'inline; filename="{_filename(ds, fmt, region)}"'
    elif fmt == "xlsx":
        response = HttpResponse(_xlsx(ds, rows), content_type=CONTENT_TYPES[fmt])
    else:
        response = StreamingHttpResponse(_csv_lines(ds, rows, hxl=fmt == "hxl.csv"),
                                         content_type=CONTENT_TYPES[fmt])
    if fmt != "json":
        response["Content-Disposition"] = f'attachment; filename="{_filename(ds, fmt, region)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

