"""Household lists for the assessor (imports, checks to resolve, needs from the lists) and
the reports the assessor and kelurahan officers read: reach per round and RW, households
that received the same item twice, RWs whose handouts are not recorded after the BAST."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksbb.core.domain import may
from ksbb.donations.models import Item
from ksbb.households.models import Household
from ksbb.households.selectors import (
    flagged_households,
    imports_visible_to,
    late_distributions,
    not_reached_in_rw,
    reach_by_rw,
    report_rounds,
    twice_received,
)
from ksbb.households.services import (
    household_resolve_flags,
    import_progress,
    needs_derive_from_households,
)
from ksbb.households.tasks import household_import_start
from ksbb.needs.models import AssessmentRound
from ksbb.web.errors import add_error_messages
from ksbb.web.field.households_views import StrictPermissionView
from ksbb.web.pickers import area_filter


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Household list (CSV or XLSX)"),
                           help_text=gettext_lazy(
                               "columns rw_code, rt, kk, nik, name, members and optionally "
                               "decile"))


class DeriveForm(forms.Form):
    round = forms.ModelChoiceField(label=gettext_lazy("Round"),
                                   queryset=AssessmentRound.objects.filter(state="open"))
    item = forms.ModelChoiceField(label=gettext_lazy("Aid item"),
                                  queryset=Item.objects.filter(is_active=True))
    per_household = forms.IntegerField(label=gettext_lazy("Units per household"), min_value=1,
                                       initial=1)
    max_decile = forms.IntegerField(label=gettext_lazy("Households in deciles 1 to"),
                                    min_value=1, max_value=10, initial=4)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The open rounds of the assessor's own regions only.
        rounds: Any = self.fields["round"]
        rounds.queryset = report_rounds(user).filter(state="open")


def _date(value: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return default


class HomeView(StrictPermissionView):
    permission = "households.view_reports"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        assessor = may(user, "households.import_list")
        return render(request, "backoffice/households.html", {
            "imports": imports_visible_to(user).select_related("created_by")[:10]
            if assessor else [],
            "import_form": ImportForm() if assessor else None,
            "derive_form": DeriveForm(user=user) if assessor else None,
            "flagged": flagged_households(user).count(),
            "rounds": report_rounds(user)[:20],
        })


class ImportCreateView(StrictPermissionView):
    permission = "households.import_list"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return HttpResponseRedirect(reverse("backoffice:households"))
        job = household_import_start(file=form.cleaned_data["file"], by=request.user)
        return HttpResponseRedirect(reverse("backoffice:household_import", args=[job.pk]))


class ImportView(StrictPermissionView):
    permission = "households.import_list"
    template = "backoffice/household_import.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(imports_visible_to(request.user), pk=pk)
        job.progress_done = import_progress(job)
        return render(request, self.template, {"job": job})


class ImportProgressView(ImportView):
    """The progress fragment, polled by htmx every second until the import finishes."""

    template = "backoffice/household_import_progress.html"


class DeriveView(StrictPermissionView):
    permission = "households.import_list"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DeriveForm(request.POST, user=request.user)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return HttpResponseRedirect(reverse("backoffice:households"))
        data = form.cleaned_data
        try:
            report = needs_derive_from_households(
                round=data["round"], item=data["item"], per_household=data["per_household"],
                max_decile=data["max_decile"], by=request.user)
        except ValidationError as exc:
            add_error_messages(request, exc)
            return HttpResponseRedirect(reverse("backoffice:households"))
        if report.ok:
            messages.success(request, _("Needs derived from the lists: %(created)s created, "
                                        "%(updated)s updated.") % {
                "created": report.created, "updated": report.updated})
        else:
            for error in report.errors[:10]:
                messages.error(request, str(error))
        return HttpResponseRedirect(reverse("backoffice:round", args=[data["round"].pk]))


class FlagsView(StrictPermissionView):
    permission = "households.view_reports"

    def get(self, request: HttpRequest) -> HttpResponse:
        households = flagged_households(request.user).select_related("rw__parent")[:200]
        return render(request, "backoffice/household_flags.html", {
            "households": households,
            "may_resolve": may(request.user, "households.resolve_flags")})


class ResolveView(StrictPermissionView):
    permission = "households.resolve_flags"
    http_method_names = ["post"]

    def get_permission_object(self) -> Household:
        return get_object_or_404(Household, pk=self.kwargs["pk"])

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            household_resolve_flags(household=self.obj, by=request.user,
                                    resolution=request.POST.get("resolution", ""))
        except ValidationError as exc:
            add_error_messages(request, exc)
        else:
            messages.success(request, _("The check is resolved."))
        return HttpResponseRedirect(reverse("backoffice:household_flags"))


class ReachView(StrictPermissionView):
    permission = "households.view_reports"

    def get(self, request: HttpRequest) -> HttpResponse:
        rounds = report_rounds(request.user)
        round_id = request.GET.get("round", "")
        rnd = rounds.filter(pk=int(round_id)).first() if round_id.isdigit() else rounds.first()
        area_filter_form, within = area_filter(request)
        rw = request.GET.get("rw", "").strip()
        rows = reach_by_rw(round=rnd, user=request.user, within=within) if rnd else []
        missing = []
        if rnd and rw and may(request.user, "households.view_household", Household(rw_id=rw)):
            missing = list(not_reached_in_rw(round=rnd, rw_code=rw)[:500])
        return render(request, "backoffice/household_reach.html", {
            "round": rnd, "rounds": rounds[:50], "rows": rows, "within": within, "rw": rw,
            "area_filter": area_filter_form,
            "missing": missing,
            "totals": {"listed": sum(r.listed for r in rows),
                       "reached": sum(r.reached for r in rows),
                       "not_reached": sum(r.not_reached for r in rows)},
        })


class TwiceView(StrictPermissionView):
    permission = "households.view_reports"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        date_to = _date(request.GET.get("to", ""), today)
        date_from = _date(request.GET.get("from", ""), date_to - dt.timedelta(days=30))
        groups, total = twice_received(date_from=date_from, date_to=date_to, user=request.user)
        return render(request, "backoffice/household_twice.html", {
            "groups": groups, "total": total, "date_from": date_from, "date_to": date_to})


class LateView(StrictPermissionView):
    permission = "households.view_reports"

    def get(self, request: HttpRequest) -> HttpResponse:
        text = request.GET.get("days", "7").strip()
        days = int(text) if text.isdigit() and int(text) <= 3650 else 7
        return render(request, "backoffice/household_late.html", {
            "days": days, "basts": late_distributions(days=days, user=request.user)[:500]})

