"""Public misuse-report pages: submit (anonymous allowed) and follow by tracking code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ksbb.core.clientip import client_ip as trusted_client_ip
from ksbb.donations.models import Pledge
from ksbb.donations.rules import is_collaborator_of_pledge
from ksbb.reports.antispam import challenge_new, rate_limited, rate_take
from ksbb.reports.models import Category
from ksbb.reports.selectors import report_by_code, report_history
from ksbb.reports.services import report_submit
from ksbb.web.errors import add_form_errors
from ksbb.web.public.reports_forms import ReportForm


def client_ip(request: HttpRequest) -> str:
    # The same address the sign-in lockout counts: REMOTE_ADDR, or behind KSBB_PROXY_COUNT
    # trusted proxies the entry they appended (never what the client wrote itself).
    return str(trusted_client_ip(request) or "")


def _own_pledge(request: HttpRequest, pledge_id: Any) -> Pledge | None:
    """The pledge, if the signed-in user is the collaborator who owns it."""
    if not request.user.is_authenticated or not str(pledge_id or "").isdigit():
        return None
    pledge = (Pledge.objects.select_related("recipient__area", "preferred_area",
                                            "collaborator__area", "aggregator")
              .filter(pk=int(str(pledge_id))).first())
    if pledge is None or not is_collaborator_of_pledge(request.user, pledge):
        return None
    return pledge


def _prefill(pledge: Pledge) -> dict[str, Any]:
    area = ((pledge.recipient.area if pledge.recipient else None) or pledge.preferred_area
            or pledge.collaborator.area)
    return {"pledge": pledge.pk, "category": Category.NOT_RECEIVED,
            "area": area.code if area else "", "organization": pledge.aggregator_id}


def _from_public_link(request: HttpRequest) -> dict[str, Any]:
    """What a public page's link prefills: the household check's button (category, RW,
    round) or the verification page's (the BAST); all of it public."""
    initial: dict[str, Any] = {}
    if request.GET.get("category") in Category.values:
        initial["category"] = request.GET["category"]
    if request.GET.get("area"):
        initial["area"] = request.GET["area"][:20]
    if str(request.GET.get("round", "")).isdigit():
        initial["round"] = int(request.GET["round"])
    # From the verification page's "report it" link: the BAST number or the code read.
    if request.GET.get("bast_number"):
        initial["bast_number"] = request.GET["bast_number"].strip()[:60]
    return initial


def _render(request: HttpRequest, form: ReportForm, status: int = 200) -> HttpResponse:
    challenge = challenge_new() if form.need_challenge else None
    return render(request, "public/report_form.html",
                  {"form": form, "challenge": challenge}, status=status)


@never_cache
def report_new(request: HttpRequest) -> HttpResponse:
    need_challenge = not request.user.is_authenticated
    if request.method != "POST":
        pledge = _own_pledge(request, request.GET.get("pledge"))
        initial = _prefill(pledge) if pledge else _from_public_link(request)
        return _render(request, ReportForm(initial=initial, need_challenge=need_challenge))
    form = ReportForm(request.POST, request.FILES, need_challenge=need_challenge)
    ip = client_ip(request)
    if rate_limited(ip):
        form.is_valid()
        form.add_error(None, _("too many reports from your connection; try again in an "
                               "hour"))
        return _render(request, form, status=429)
    if not form.is_valid():
        return _render(request, form, status=400)
    if not rate_take(ip):  # counted before the work, atomically
        form.add_error(None, _("too many reports from your connection; try again in an "
                               "hour"))
        return _render(request, form, status=429)
    data = form.cleaned_data
    try:
        report = report_submit(
            category=data["category"], area=data["area"], description=data["description"],
            by=request.user, bast_number=data["bast_number"],
            organization=data["organization"],
            pledge=_own_pledge(request, data.get("pledge")), photos=data["photos"],
            reporter_name=data["reporter_name"], reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"], round=data.get("round"),
            base_url=settings.KSBB_PUBLIC_URL.rstrip("/"))
    except ValidationError as exc:
        add_form_errors(form, exc)
        return _render(request, form, status=400)
    messages.success(request, _("Your report is received. Your tracking code is %(code)s: "
                                "write it down to follow the report.") % {"code": report.code})
    return redirect("web:report_track", code=report.code)


def report_track_lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("web:report_track", code=code.upper())
    return render(request, "public/report_lookup.html")


def report_track(request: HttpRequest, code: str) -> HttpResponse:
    """Category, area, states with dates and the public outcome. Nothing about the
    reporter, and not the description (it may name people)."""
    report = report_by_code(code)
    if report is None:
        raise Http404(_("No report has this tracking code."))
    return render(request, "public/report_track.html",
                  {"report": report, "history": report_history(report)})
