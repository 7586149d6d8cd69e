"""The public dashboard's filter form and page context (figures: ksbb.stats.selectors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.donations.models import Program
from ksbb.donations.selectors import program_names
from ksbb.regions.models import Region
from ksbb.stats.maps import coverage_map
from ksbb.stats.selectors import Dashboard, Filters, dashboard
from ksbb.web.public.maps import map_block


class DashboardFilterForm(forms.Form):
    program = forms.ModelChoiceField(label=gettext_lazy("Programme"),
                                     queryset=Program.objects.order_by("code"),
                                     to_field_name="code", required=False,
                                     empty_label=gettext_lazy("all programmes"))
    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    regency = forms.ModelChoiceField(label=gettext_lazy("Regency/city"),
                                     queryset=Area.objects.filter(level=Area.Level.REGENCY),
                                     to_field_name="code", required=False,
                                     empty_label=gettext_lazy("all regencies/cities"))

    def __init__(self, *args: Any, region: Region | None = None,
                 names: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        if names:
            # The programmes as the region calls them (donations.RegionProgram).
            program = self.fields["program"]
            assert isinstance(program, forms.ModelChoiceField)
            program.label_from_instance = (  # type: ignore[method-assign]
                lambda p: names.get(p.code, p.name))
        if region is not None:
            # A region's own programmes run nowhere else: not offered on another's page.
            choices = self.fields["program"]
            assert isinstance(choices, forms.ModelChoiceField)
            choices.queryset = Program.objects.filter(
                Q(region__isnull=True) | Q(region=region)).order_by("code")
            field = self.fields["regency"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Area.objects.filter(level=Area.Level.REGENCY).filter(
                Q(code=region.code) | Q(code__startswith=f"{region.code}."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("the end is before the start"))
        return data

    def to_filters(self) -> Filters:
        region = self.region.code if self.region is not None else None
        if not self.is_bound or not self.is_valid():
            return Filters(region=region)
        data = self.cleaned_data
        program, regency = data.get("program"), data.get("regency")
        return Filters(program=program.code if program else None, start=data.get("start"),
                       end=data.get("end"), regency=regency.code if regency else None,
                       region=region)


# (data key, title, chart type, unit, bars shown in the chart; the table shows every row)
WENT = [
    ("delivered_by_regency", gettext_lazy("Delivered, by the recipient's regency/city"),
     "bar", "rupiah", 0),
    ("by_recipient_kind", gettext_lazy("Delivered to RWs and to institutions"), "pie",
     "rupiah", 0),
    ("delivered_by_district", gettext_lazy("Delivered, by the recipient's district"), "bar",
     "rupiah", 10),
    ("delivered_by_village", gettext_lazy("Delivered, by the recipient's village"), "bar",
     "rupiah", 10),
    ("delivered_by_item", gettext_lazy("Delivered, by aid item"), "pie", "rupiah", 0),
]
CAME = [
    ("by_regency", gettext_lazy("Collected, by the donor's regency/city"), "bar", "rupiah", 0),
    ("by_collaborator_kind", gettext_lazy("Collected, by collaborator kind (rupiah)"), "pie",
     "rupiah", 0),
    ("collaborators_by_kind", gettext_lazy("Collaborators, by kind (how many)"), "pie",
     "count", 0),
    ("by_item", gettext_lazy("Collected, by aid item"), "bar", "rupiah", 0),
    ("by_program", gettext_lazy("Collected, by programme"), "pie", "rupiah", 0),
]
CHARTS = WENT + CAME


def _charts(data: dict[str, Any], spec: list[tuple[str, Any, str, str, int]]
            ) -> list[dict[str, Any]]:
    return [{"key": key, "title": title, "type": kind, "unit": unit, "limit": limit,
             "rows": data[key]} for key, title, kind, unit, limit in spec]


def _map(request: HttpRequest, figures: Dashboard, region: Region | None = None
         ) -> dict[str, Any]:
    """The coverage choropleth (need against delivered) with drill-down by ``?area=``;
    on a region's page, inside the region's area."""
    code = request.GET.get("area", "").strip()
    area = None
    top = region.code if region is not None else None
    if code and areacodes.is_valid(code) and areacodes.level_of(code) <= Area.Level.VILLAGE \
            and (top is None or areacodes.is_within(code, top)):
        area = Area.objects.select_related("parent__parent__parent").filter(code=code).first()
    if area is None and top is not None:
        area = Area.objects.select_related("parent").filter(code=top).first()
    cover = coverage_map(area, program=figures.filters.program)

    def href(target: str | None) -> str:
        query = request.GET.copy()
        query.pop("area", None)
        if target and target != top:
            query["area"] = target
        encoded = query.urlencode()
        return f"?{encoded}#map" if encoded else f"{request.path}#map"

    rows = [{"code": r.code, "label": r.name, "need": r.need, "done": r.delivered,
             "percent": r.percent,
             "href": href(r.code) if (r.has_children and not cover.recipients) else ""}
            for r in cover.rows]
    if region is None:
        crumbs = [(str(_("All regencies/cities")), href(None))]
        crumbs += [(c.name, href(c.code)) for c in cover.breadcrumbs]
    else:
        crumbs = [(region.name, href(None))]
        crumbs += [(c.name, href(c.code)) for c in cover.breadcrumbs
                   if len(c.code) > len(region.code)]
    if len(crumbs) > 1:
        crumbs[-1] = (crumbs[-1][0], "")
    title = (_("Need and delivered aid, by RW and institution") if cover.recipients
             else _("Map: need and delivered aid"))
    return {"cover": cover, "block": map_block(
        rows=rows, parent=cover.area, title=title, done_label=str(_("Delivered")),
        need_label=str(_("Assessed need")), drawable=not cover.recipients, crumbs=crumbs)}


def dashboard_context(request: HttpRequest, region: Region | None = None) -> dict[str, Any]:
    """The dashboard of the whole installation, or of ``region`` (its own rows only)."""
    names = program_names(region)
    form = DashboardFilterForm(request.GET or None, region=region, names=names)
    figures: Dashboard = dashboard(form.to_filters(), in_request=True)
    data = figures.as_dict()
    for share in data["by_program"]:
        share["label"] = names.get(share["key"], share["label"])
    filtered = any(v for k, v in data["filters"].items() if k != "region")
    return {"form": form, "figures": figures, "went": _charts(data, WENT),
            "came": _charts(data, CAME), "dashboard_data": data, "filtered": filtered,
            "map": _map(request, figures, region)}
