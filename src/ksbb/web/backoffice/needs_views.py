"""Back-office pages for institutions, assessment rounds, needs imports and coverage."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView, View
from django.views.generic.detail import SingleObjectMixin

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.needs.models import AssessmentRound, NeedsImport, Recipient
from ksbb.needs.selectors import need_coverage_by_area, recipients_visible_to, rounds_visible_to
from ksbb.needs.services import (
    institution_register,
    institution_verify,
    need_set,
    round_close,
    round_open,
)
from ksbb.needs.tasks import needs_derive_start_from_areas, needs_import_start
from ksbb.web.backoffice.allocation_forms import ManualAllocationForm
from ksbb.web.backoffice.needs_forms import (
    InstitutionForm,
    NeedForm,
    NeedsFileForm,
    PovertyFileForm,
    RoundForm,
)
from ksbb.web.errors import add_error_messages, add_form_errors
from ksbb.web.permissions import PermissionRequiredMixin
from ksbb.web.redirects import redirect_next


class _ObjectPostView(PermissionRequiredMixin, SingleObjectMixin, View):
    """A POST-only action on one object; the permission is checked against the object."""

    http_method_names = ["post"]


# Institutions ---------------------------------------------------------------------------

class InstitutionListView(PermissionRequiredMixin, ListView[Recipient]):
    permission_required = "web.access_backoffice"
    template_name = "backoffice/institutions.html"
    context_object_name = "institutions"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Recipient]:
        qs = recipients_visible_to(self.request.user).exclude(
            kind=Recipient.Kind.RW).select_related("area__parent")
        state = self.request.GET.get("state")
        if state == "unverified":
            qs = qs.filter(is_verified=False)
        elif state == "verified":
            qs = qs.filter(is_verified=True)
        return qs.order_by("is_verified", "area_id", "name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["state"] = self.request.GET.get("state", "")
        context["may_verify"] = self.request.user.has_perm("needs.verify_recipient")
        context["may_register"] = self.request.user.has_perm("needs.register_institution")
        return context


class InstitutionCreateView(PermissionRequiredMixin, FormView[InstitutionForm]):
    permission_required = "needs.register_institution"
    template_name = "backoffice/institution_form.html"
    form_class = InstitutionForm

    def form_valid(self, form: InstitutionForm) -> HttpResponse:
        try:
            recipient = institution_register(by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is registered and waits for verification.")
                         % {"name": recipient.name})
        return redirect(reverse("backoffice:institutions") + "?state=unverified")


class InstitutionVerifyView(_ObjectPostView):
    permission_required = "needs.verify_recipient"
    queryset = Recipient.objects.exclude(kind=Recipient.Kind.RW)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        recipient = institution_verify(recipient=self.get_object(), by=request.user)
        messages.success(request, _("%(name)s is verified.") % {"name": recipient.name})
        return redirect_next(request, "backoffice:institutions")


# Rounds ---------------------------------------------------------------------------------

class RoundListView(PermissionRequiredMixin, ListView[AssessmentRound]):
    permission_required = "needs.view_round"
    template_name = "backoffice/rounds.html"
    context_object_name = "rounds"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[AssessmentRound]:
        return rounds_visible_to(self.request.user).select_related("program").annotate(
            need_count=Count("needs"), need_total=Sum("needs__quantity")).order_by(
            "-period_start", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm("needs.manage_round"):
            context["form"] = RoundForm()
        return context


class RoundCreateView(PermissionRequiredMixin, FormView[RoundForm]):
    permission_required = "needs.manage_round"
    template_name = "backoffice/round_form.html"
    form_class = RoundForm

    def form_valid(self, form: RoundForm) -> HttpResponse:
        try:
            rnd = round_open(by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The round %(name)s is open.") % {"name": rnd.name})
        return redirect("backoffice:round", pk=rnd.pk)


class RoundDetailView(PermissionRequiredMixin, DetailView[AssessmentRound]):
    permission_required = "needs.view_round"
    template_name = "backoffice/round.html"
    context_object_name = "round"
    model = AssessmentRound

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        needs = self.object.needs.select_related("recipient", "item")
        item = self.request.GET.get("item", "").strip()
        if item:
            needs = needs.filter(item__code=item)
        context["item"] = item
        context["needs"] = needs.order_by("priority", "recipient__area_id", "item__code")[:200]
        context["totals"] = self.object.needs.values("item__code").annotate(
            total=Sum("quantity"), recipients=Count("recipient")).order_by("item__code")
        context["imports"] = self.object.imports.select_related("created_by")[:10]
        if self.object.is_open and self.request.user.has_perm("needs.set_need", self.object):
            context["need_form"] = kwargs.get("need_form") or NeedForm(round=self.object)
            context["file_form"] = NeedsFileForm()
            context["poverty_form"] = PovertyFileForm(round=self.object)
        context["may_close"] = self.object.is_open and self.request.user.has_perm(
            "needs.manage_round", self.object)
        # Allocation (ksbb.allocation): runs of this round and the manual allocation form.
        context["allocation_runs"] = self.object.allocation_runs.all()[:20]
        context["may_allocate"] = rules.has_perm("allocation.run", self.request.user,
                                                 self.object)
        if self.object.is_open and rules.has_perm("allocation.allocate", self.request.user):
            context["manual_form"] = ManualAllocationForm(round=self.object)
        return context


class RoundCloseView(_ObjectPostView):
    permission_required = "needs.manage_round"
    model = AssessmentRound

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rnd = round_close(round=self.get_object(), by=request.user)
        messages.success(request, _("The round %(name)s is closed.") % {"name": rnd.name})
        return redirect("backoffice:round", pk=rnd.pk)


class NeedSetView(_ObjectPostView):
    permission_required = "needs.set_need"
    model = AssessmentRound

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rnd = self.get_object()
        form = NeedForm(request.POST, round=rnd)
        if form.is_valid():
            try:
                need_set(round=rnd, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The need is saved."))
                return redirect("backoffice:round", pk=rnd.pk)
        view = RoundDetailView(request=request, kwargs={"pk": rnd.pk}, object=rnd)
        return view.render_to_response(view.get_context_data(need_form=form), status=400)


class NeedsImportCreateView(_ObjectPostView):
    """Store an uploaded file and hand it to the background task."""

    permission_required = "needs.set_need"
    model = AssessmentRound

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rnd = self.get_object()
        poverty = self.kwargs.get("kind") == NeedsImport.Kind.POVERTY
        form = (PovertyFileForm(request.POST, request.FILES, round=rnd) if poverty
                else NeedsFileForm(request.POST, request.FILES))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return redirect("backoffice:round", pk=rnd.pk)
        data = form.cleaned_data
        try:
            if poverty and not data["file"]:
                job = needs_derive_start_from_areas(
                    round=rnd, by=request.user, item=data["item"],
                    per_poor_household=data["per_poor_household"],
                    health_file=data.get("health_file"))
                return HttpResponseRedirect(reverse("backoffice:needs_import", args=[job.pk]))
            job = needs_import_start(
                round=rnd, by=request.user, file=data["file"],
                kind=NeedsImport.Kind.POVERTY if poverty else NeedsImport.Kind.NEEDS,
                item=data.get("item", ""), per_poor_household=data.get("per_poor_household", 1),
                health_file=data.get("health_file"))
        except ValidationError as exc:
            add_error_messages(request, exc)
            return redirect("backoffice:round", pk=rnd.pk)
        return HttpResponseRedirect(reverse("backoffice:needs_import", args=[job.pk]))


class NeedsImportView(PermissionRequiredMixin, DetailView[NeedsImport]):
    permission_required = "needs.view_needs_import"
    template_name = "backoffice/needs_import.html"
    context_object_name = "job"
    queryset = NeedsImport.objects.select_related("round", "created_by")


class NeedsImportProgressView(NeedsImportView):
    """The progress fragment, polled by htmx every second until the import finishes."""

    template_name = "backoffice/needs_import_progress.html"


# Coverage -------------------------------------------------------------------------------

class CoverageView(PermissionRequiredMixin, TemplateView):
    permission_required = "needs.view_need"
    template_name = "backoffice/coverage.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Another region's round is not found (issue 18).
        self.round = get_object_or_404(rounds_visible_to(request.user), pk=self.kwargs["pk"])
        within = request.GET.get("within", "").strip() or None
        if within is not None and not areacodes.is_valid(within):
            within = None
        default_level = (areacodes.level_of(within) + 1) if within else Area.Level.REGENCY
        try:
            level = int(request.GET.get("level", default_level))
        except ValueError:
            level = default_level
        self.level = min(max(level, Area.Level.REGENCY), Area.Level.RW)
        self.within = within
        self.item = request.GET.get("item", "").strip() or None
        self.rows = need_coverage_by_area(self.round, self.level, within=within,
                                          item=self.item)
        if request.GET.get("format") == "json":
            return JsonResponse({"round": self.round.pk, "level": self.level,
                                 "within": within, "item": self.item,
                                 "areas": [r.as_map() for r in self.rows]})
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        trail = []
        if self.within:
            code: str | None = self.within
            while code is not None:
                trail.append(code)
                code = areacodes.parent_of(code)
        names = dict(Area.objects.filter(code__in=trail).values_list("code", "name"))
        context.update(
            round=self.round, rows=self.rows, level=self.level, within=self.within,
            item=self.item or "", level_label=Area.Level(self.level).label,
            trail=[(c, names.get(c, c)) for c in reversed(trail)
                   if areacodes.level_of(c) > Area.Level.PROVINCE],
            total_need=sum(r.need for r in self.rows),
            items=self.round.needs.values_list("item__code", flat=True).distinct().order_by(
                "item__code"),
        )
        return context
