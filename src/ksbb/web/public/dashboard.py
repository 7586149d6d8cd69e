"""The public dashboard's filter form and page context (figures: ksbb.stats.selectors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksbb.areas.models import Area
from ksbb.donations.models import Program
from ksbb.stats.selectors import Dashboard, Filters, dashboard


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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("the end is before the start"))
        return data

    def to_filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        program, regency = data.get("program"), data.get("regency")
        return Filters(program=program.code if program else None, start=data.get("start"),
                       end=data.get("end"), regency=regency.code if regency else None)


CHARTS = [
    # (data key, title, chart type)
    ("by_regency", gettext_lazy("By regency/city"), "bar"),
    ("by_collaborator_kind", gettext_lazy("By collaborator kind"), "pie"),
    ("by_program", gettext_lazy("By programme"), "pie"),
    ("by_item", gettext_lazy("By aid item"), "bar"),
]


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    form = DashboardFilterForm(request.GET or None)
    figures: Dashboard = dashboard(form.to_filters() if form.is_bound else Filters())
    data = figures.as_dict()
    charts = [{"key": key, "title": title, "type": kind, "rows": data[key]}
              for key, title, kind in CHARTS]
    return {"form": form, "figures": figures, "charts": charts, "dashboard_data": data,
            "filtered": any(v for v in data["filters"].values())}
