"""Donation pages anyone may open: a donor's or an aggregator's registration, the e-mail
confirmation, the verified aggregators and where aid is still needed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from ksbb.accounts.models import Organization
from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.donations import services
from ksbb.donations.models import Item
from ksbb.donations.selectors import verified_aggregators
from ksbb.stats.needmap import need_map, need_map_recipients
from ksbb.stats.pagecache import serve_cached
from ksbb.web.donations.forms import AggregatorRegisterForm, CollaboratorRegisterForm
from ksbb.web.errors import add_form_errors
from ksbb.web.limits import over_limit
from ksbb.web.permissions import PermissionRequiredMixin
from ksbb.web.public.maps import map_block


def collaborator_register_view(request: HttpRequest) -> HttpResponse:
    form = CollaboratorRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = over_limit(request, "signup", settings.KSBB_SIGNUP_RATE)
        if refused is not None:
            return refused
        try:
            # None for an address that has an account: the same answer (see the service).
            services.collaborator_register(**form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _(
                "Thank you, %(name)s. We sent a message to %(email)s: open the link in it to "
                "confirm your address. Sign in with your e-mail address and password.")
                % {"name": form.cleaned_data["name"], "email": form.cleaned_data["email"]})
            return redirect("login")
    return render(request, "donations/register.html", {"form": form})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.collaborator_verify_email(token=token)
    except ValidationError:
        return render(request, "donations/verify_email.html", {"ok": False}, status=400)
    return render(request, "donations/verify_email.html", {"ok": True})


def aggregator_register_view(request: HttpRequest) -> HttpResponse:
    form = AggregatorRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = over_limit(request, "signup", settings.KSBB_SIGNUP_RATE)
        if refused is not None:
            return refused
        try:
            services.aggregator_register(**form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("Thank you. A platform administrator will check your "
                                        "licence before donors can choose you."))
            return redirect("login")
    return render(request, "donations/aggregator_register.html", {"form": form})


class AggregatorListView(ListView[Organization]):
    template_name = "donations/aggregators.html"
    context_object_name = "aggregators"

    def get_queryset(self) -> QuerySet[Organization]:
        return verified_aggregators()


class NeedMapView(PermissionRequiredMixin, View):
    """Where aid is needed: a choropleth of assessed need against what donors gave, per
    area (regency > district > village), and in a village its RWs and institutions with what
    they still lack, each with a link to the pledge form for it. Public (a donor looks before
    registering); the same rows as a table without JavaScript. Anonymous visitors get it from
    the page cache (ksbb.stats.pagecache)."""

    permission_required = "donations.view_need_map"

    def get(self, request: HttpRequest) -> HttpResponse:
        return serve_cached(request, "needs", lambda: self._page(request))

    def _page(self, request: HttpRequest) -> HttpResponse:
        items = list(Item.objects.filter(is_active=True, program__is_active=True)
                     .select_related("program"))
        codes = {i.code for i in items}
        item_code = request.GET.get("item", "")
        if item_code not in codes:
            item_code = "sembako" if "sembako" in codes else (items[0].code if items else "")
        within = request.GET.get("within", "").strip()
        if within and (not areacodes.is_valid(within) or areacodes.level_of(within) > 4):
            within = ""
        trail = []
        if within:
            chain = areacodes.ancestors(within, top=areacodes.Level.REGENCY,
                                        include_self=True)
            names = dict(Area.objects.filter(code__in=chain).values_list("code", "name"))
            trail = [(code, names.get(code, code)) for code in chain]
        if within and areacodes.level_of(within) == 4:
            rows = need_map_recipients(item_code=item_code, village=within)
            recipients_level = True
        else:
            rows = need_map(item_code=item_code, within=within or None)
            recipients_level = False
        # Anonymous visitors see the pledge links too: the form asks them to sign in first.
        can_pledge = (request.user.has_perm("donations.add_pledge")
                      or not request.user.is_authenticated)
        return render(request, "donations/needs.html", {
            "rows": rows, "items": items, "item_code": item_code, "within": within,
            "trail": trail, "recipients_level": recipients_level,
            "can_pledge": can_pledge, "map": _need_map_block(rows, within, item_code,
                                                             recipients_level),
            "totals": {name: sum(getattr(r, name) for r in rows)
                       for name in ("need", "covered", "delivered", "promised")},
        })


def _need_map_block(rows: list[Any], within: str, item_code: str,
                    recipients_level: bool) -> dict[str, Any]:
    """The choropleth above the table (the table is the page's own, with pledge links)."""
    from django.utils.http import urlencode

    def drill(code: str) -> str:
        return "?" + urlencode({"within": code, "item": item_code})

    data_rows = [{"code": r.code, "label": r.name, "need": r.need, "done": r.covered,
                  "percent": r.percent, "href": drill(r.code) if r.has_children else ""}
                 for r in rows]
    return map_block(rows=data_rows, parent=within or None,
                     title=_("Map of need: the redder, the less covered"),
                     done_label=_("Covered"), need_label=_("Need"),
                     drawable=not recipients_level, map_id="need-map", with_table=False)
