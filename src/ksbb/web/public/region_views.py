"""Public pages of the regions: each region's own dashboard at ``/r/<slug>/`` (the default
region's is ``/``), and the national page ``/nasional/`` that rolls every region up
(figures: ksbb.stats.regional.national, as the API at ``/api/v1/stats/national/``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.core.audit import audit_head
from ksbb.donations.models import Program
from ksbb.needs.models import Recipient
from ksbb.regions.models import Region
from ksbb.regions.selectors import region_by_slug
from ksbb.stats.pagecache import public_cache
from ksbb.stats.regional import National, national
from ksbb.web.public.dashboard import dashboard_context
from ksbb.web.public.maps import map_block


def several_regions() -> bool:
    return Region.objects.count() > 1


def region_url(region: Region | None) -> str:
    """A region's public page: ``/`` for the default region."""
    if region is None or region.is_default:
        return reverse("web:home")
    return reverse("web:region", kwargs={"slug": region.slug})


def region_page_context(request: HttpRequest, region: Region | None) -> dict[str, Any]:
    """The dashboard of ``region`` (None: the whole installation, one region only)."""
    context = dashboard_context(request, region)
    query = request.GET.copy()
    if region is not None:
        query["region"] = region.slug
    encoded = query.urlencode()
    context.update({
        "region": region, "national_url": reverse("web:national") if region else "",
        # The donor's need map, inside the region (it starts at a regency/city).
        "needs_url": reverse("donations:needs") + (
            f"?{urlencode({'within': region.code})}" if region and "." in region.code
            else ""),
        "json_url": reverse("stats-dashboard") + (f"?{encoded}" if encoded else ""),
        "opendata_url": reverse("web:opendata") + (
            f"?{urlencode({'region': region.slug})}" if region else ""),
        "audit_head": audit_head()})
    return context


@public_cache("region")
def region_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A region's own dashboard, map and open data: what ``/`` is for the default one."""
    region = region_by_slug(slug)
    if region is None:
        raise Http404("no such region")
    if region.is_default:
        target = reverse("web:home")
        return HttpResponseRedirect(f"{target}?{request.GET.urlencode()}" if request.GET
                                    else target)
    context = region_page_context(request, region)
    context["counts"] = _counts(region)
    return render(request, "public/home.html", context)


def _counts(region: Region | None) -> dict[str, int]:
    areas = Area.objects.all()
    recipients = Recipient.objects.all()
    if region is not None:
        inside = region.code + "."
        areas = areas.filter(code__startswith=inside)
        recipients = recipients.filter(area__code__startswith=inside)
    return {
        "provinces": Area.objects.filter(level=Area.Level.PROVINCE).count(),
        "villages": areas.filter(level=Area.Level.VILLAGE).count(),
        "rws": areas.filter(level=Area.Level.RW).count(),
        "recipients": recipients.count(),
    }


class NationalFilterForm(forms.Form):
    program = forms.ModelChoiceField(label=gettext_lazy("Programme"),
                                     queryset=Program.objects.order_by("code"),
                                     to_field_name="code", required=False,
                                     empty_label=gettext_lazy("all programmes"))


def _national_map(request: HttpRequest, figures: National,
                  regions: dict[str, Region]) -> dict[str, Any]:
    """Provinces, or one province's regencies/cities; a click goes to the region a place
    belongs to, or one level down."""
    program = figures.program

    def national_href(province: str | None) -> str:
        query = {k: v for k, v in (("program", program), ("province", province)) if v}
        base = reverse("web:national")
        return f"{base}?{urlencode(query)}#map" if query else f"{base}#map"

    def region_href(code: str) -> str:
        url = region_url(regions[code])
        return f"{url}?{urlencode({'program': program})}" if program else url

    rows = []
    for place in figures.places:
        if place.region and (place.region == place.code or figures.province):
            href = region_href(place.region)
        elif not figures.province:
            href = national_href(place.code)
        else:
            href = ""
        rows.append({"code": place.code, "label": place.name, "need": place.need,
                     "done": place.delivered, "percent": place.percent, "href": href})
    crumbs = [(str(_("Indonesia")), national_href(None) if figures.province else "")]
    if figures.province:
        name = Area.objects.filter(code=figures.province).values_list("name", flat=True)
        crumbs.append((name.first() or figures.province, ""))
    block = map_block(rows=rows, parent=figures.province,
                      title=str(_("Map: need and delivered aid, by province"))
                      if not figures.province else
                      str(_("Map: need and delivered aid, by regency/city")),
                      done_label=str(_("Delivered")), need_label=str(_("Assessed need")),
                      drawable=True, crumbs=crumbs,
                      level=None if figures.province else Area.Level.PROVINCE)
    return block


@public_cache("national")
def national_page(request: HttpRequest) -> HttpResponse:
    """Every region's figures and their sum, by programme, and the map of the nation."""
    form = NationalFilterForm(request.GET or None)
    program = None
    if form.is_bound and form.is_valid() and form.cleaned_data.get("program"):
        program = form.cleaned_data["program"].code
    province = request.GET.get("province", "").strip() or None
    if province is not None and (not areacodes.is_valid(province)
                                 or areacodes.level_of(province) != Area.Level.PROVINCE):
        province = None
    figures = national(program, province=province)
    regions = {r.code: r for r in Region.objects.all()}
    region_rows = [{"totals": r, "url": region_url(regions.get(r.code))}
                   for r in figures.regions]
    return render(request, "public/national.html", {
        "form": form, "figures": figures, "region_rows": region_rows,
        "map": _national_map(request, figures, regions),
        "api_url": reverse("stats-national") + (f"?{request.GET.urlencode()}"
                                                if request.GET else ""),
    })
