"""Public page ``/coverage/``: need against coverage by area, with drill-down
(figures: ksbb.stats.coverage.coverage, as the API at ``/api/v1/stats/coverage/``)."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from ksbb.areas.models import Area
from ksbb.donations.models import Program
from ksbb.stats.boundaries import boundaries_geojson
from ksbb.stats.coverage import coverage
from ksbb.stats.pagecache import public_cache


class CoverageFilterForm(forms.Form):
    program = forms.ModelChoiceField(label=gettext_lazy("Programme"),
                                     queryset=Program.objects.order_by("code"),
                                     to_field_name="code", required=False,
                                     empty_label=gettext_lazy("all programmes"))


@public_cache("coverage")
def coverage_page(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("area") or None
    area = None
    if code:
        area = Area.objects.select_related("parent").filter(code=code).first()
        if area is None:
            raise Http404("no such area")
    form = CoverageFilterForm(request.GET or None)
    program = form.cleaned_data.get("program") if form.is_bound and form.is_valid() else None
    figures = coverage(area, program=program.code if program else None)
    rows = [{"row": r, "bar": min(r.percent or 0.0, 100.0)} for r in figures.rows]
    children = (Area.objects.filter(parent=area) if area
                else Area.objects.filter(level=Area.Level.REGENCY))
    geojson = (boundaries_geojson(list(children.values_list("code", flat=True)))
               if figures.child_level else None)
    map_data = None
    if geojson:
        map_data = {"geojson": geojson, "rows": [
            {"name": r.code, "label": r.name, "value": r.percent, "need": r.need,
             "covered": r.covered} for r in figures.rows]}
    return render(request, "public/coverage.html", {
        "form": form, "figures": figures, "rows": rows, "map_data": map_data,
        "program": program.code if program else "",
    })
