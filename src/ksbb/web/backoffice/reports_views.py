"""Back-office pages for misuse reports: list, detail, triage, investigate, resolve.

Assessors and platform administrators see every report; kelurahan officers the reports in
their villages. The reporter's contact is masked except for the assigned officer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, View

from ksbb.core.privacy import personal_data_viewed
from ksbb.reports.models import Category, MisuseReport, ReportPhoto
from ksbb.reports.selectors import report_history, reporter_for, reports_visible_to
from ksbb.reports.services import (
    NotAllowed,
    report_investigate,
    report_resolve,
    report_triage,
)
from ksbb.web.backoffice.reports_forms import InvestigateForm, ResolveForm, TriageForm
from ksbb.web.errors import add_error_messages, add_form_errors
from ksbb.web.files import file_response
from ksbb.web.permissions import PermissionRequiredMixin


class ReportListView(PermissionRequiredMixin, ListView[MisuseReport]):
    permission_required = "reports.access_reports"
    template_name = "backoffice/reports.html"
    context_object_name = "reports"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[MisuseReport]:
        qs = reports_visible_to(self.request.user)
        state = self.request.GET.get("state", "")
        if state in MisuseReport.State.values:
            qs = qs.filter(state=state)
        category = self.request.GET.get("category", "")
        if category in Category.values:
            qs = qs.filter(category=category)
        return qs.order_by("state", "due_date", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["rows"] = [(r, reporter_for(r, user, listing=True)) for r in context["reports"]]
        context["states"] = MisuseReport.State.choices
        context["state"] = self.request.GET.get("state", "")
        context["today"] = timezone.localdate()
        return context


class ReportDetailView(PermissionRequiredMixin, DetailView[MisuseReport]):
    permission_required = "reports.view_report"
    template_name = "backoffice/report.html"
    context_object_name = "report"
    # Anyone may ask for any id; the permission check answers 403.
    queryset = MisuseReport.objects.select_related("area", "organization", "assigned_to",
                                                   "pledge")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        context["reporter"] = reporter = reporter_for(report, user)
        personal_data_viewed(by=user, obj=report, fields=reporter.shown_in_full)
        context["history"] = report_history(report)
        context["photos"] = report.photos.all()
        state = report.state
        if state == MisuseReport.State.RECEIVED and user.has_perm("reports.triage_report",
                                                                  report):
            context["triage_form"] = kwargs.get("triage_form") or TriageForm(report=report)
        if state == MisuseReport.State.TRIAGED and user.has_perm(
                "reports.investigate_report", report):
            context["investigate_form"] = kwargs.get("investigate_form") or InvestigateForm()
        if state == MisuseReport.State.UNDER_INVESTIGATION and user.has_perm(
                "reports.resolve_report", report):
            context["resolve_form"] = kwargs.get("resolve_form") or ResolveForm()
        return context


class _ReportActionView(PermissionRequiredMixin, View):
    """POST only; the service checks actor and state, the page shows its refusal."""

    http_method_names = ["post"]
    permission_required = "reports.view_report"
    form_name = ""

    def get_permission_object(self) -> MisuseReport:
        return self.get_object()

    def get_object(self) -> MisuseReport:
        if not hasattr(self, "_report"):
            self._report = get_object_or_404(MisuseReport, pk=self.kwargs["pk"])
        return self._report

    def make_form(self, report: MisuseReport) -> Any:
        raise NotImplementedError

    def act(self, report: MisuseReport, data: dict[str, Any]) -> MisuseReport:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_object()
        form = self.make_form(report)
        status = 400
        if form.is_valid():
            try:
                self.act(report, form.cleaned_data)
            except NotAllowed as exc:
                add_error_messages(request, exc)
                return redirect("backoffice:report", pk=report.pk)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The report %(code)s is now %(state)s.") % {
                    "code": report.code,
                    "state": MisuseReport.objects.get(pk=report.pk).get_state_display()})
                return redirect("backoffice:report", pk=report.pk)
        view = ReportDetailView(request=request, kwargs={"pk": report.pk}, object=report)
        return view.render_to_response(
            view.get_context_data(**{self.form_name: form}), status=status)


class ReportTriageView(_ReportActionView):
    form_name = "triage_form"

    def make_form(self, report: MisuseReport) -> TriageForm:
        return TriageForm(self.request.POST, report=report)

    def act(self, report: MisuseReport, data: dict[str, Any]) -> MisuseReport:
        return report_triage(report=report, by=self.request.user, **data)


class ReportInvestigateView(_ReportActionView):
    form_name = "investigate_form"

    def make_form(self, report: MisuseReport) -> InvestigateForm:
        return InvestigateForm(self.request.POST)

    def act(self, report: MisuseReport, data: dict[str, Any]) -> MisuseReport:
        return report_investigate(report=report, by=self.request.user, **data)


class ReportResolveView(_ReportActionView):
    form_name = "resolve_form"

    def make_form(self, report: MisuseReport) -> ResolveForm:
        return ResolveForm(self.request.POST)

    def act(self, report: MisuseReport, data: dict[str, Any]) -> MisuseReport:
        return report_resolve(report=report, by=self.request.user,
                              base_url=settings.KSBB_PUBLIC_URL.rstrip("/"), **data)


class ReportPhotoView(PermissionRequiredMixin, View):
    """Photos are not under MEDIA_URL: they are served here, to officers who see the
    report, with the stored content type."""

    permission_required = "reports.view_report"

    def get_permission_object(self) -> MisuseReport:
        self.photo = get_object_or_404(ReportPhoto.objects.select_related("report"),
                                       pk=self.kwargs["pk"])
        return self.photo.report

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return file_response(self.photo.file.open("rb"), attachment=False,
                             content_type=self.photo.content_type,
                             cache_control="private, no-store")
