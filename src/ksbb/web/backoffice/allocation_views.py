"""Back-office pages for allocation runs (progress, review per area and recipient, edit,
approve, discard) and manual allocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, View
from django.views.generic.detail import SingleObjectMixin

from ksbb.allocation.models import AllocationRun, ProposedLine
from ksbb.allocation.selectors import run_summary
from ksbb.allocation.services import (
    allocation_create_manual,
    line_edit,
    run_approve,
    run_discard,
    run_start,
)
from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.needs.models import AssessmentRound
from ksbb.web.backoffice.allocation_forms import LineForm, ManualAllocationForm
from ksbb.web.errors import add_error_messages
from ksbb.web.permissions import PermissionRequiredMixin

MAX_LINES = 1000
FINISHED = (AllocationRun.State.PROPOSED, AllocationRun.State.APPROVED,
            AllocationRun.State.FAILED, AllocationRun.State.DISCARDED)


class _ObjectPostView(PermissionRequiredMixin, SingleObjectMixin, View):
    http_method_names = ["post"]


# Runs -----------------------------------------------------------------------------------

class RunStartView(_ObjectPostView):
    permission_required = "allocation.run"
    model = AssessmentRound

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rnd = self.get_object()
        try:
            run = run_start(round=rnd, by=request.user)
        except ValidationError as exc:
            add_error_messages(request, exc)
            return redirect("backoffice:round", pk=rnd.pk)
        return redirect("backoffice:allocation_run", pk=run.pk)


@dataclass
class RecipientGroup:
    name: str
    code: str
    lines: list[ProposedLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(ln.quantity for ln in self.lines)


@dataclass
class AreaGroup:
    code: str
    name: str
    level: int
    total: int = 0
    children: dict[str, AreaGroup] = field(default_factory=dict)
    recipients: dict[int, RecipientGroup] = field(default_factory=dict)

    @property
    def child_list(self) -> list[AreaGroup]:
        return [self.children[k] for k in sorted(self.children)]

    @property
    def recipient_list(self) -> list[RecipientGroup]:
        return sorted(self.recipients.values(), key=lambda r: (r.code, r.name))


def group_by_area(lines: list[ProposedLine]) -> list[AreaGroup]:
    """Regency > district > village > recipient > lines, with totals per area."""
    codes: set[str] = set()
    for ln in lines:
        code = ln.need.recipient.area_id
        codes.update(areacodes.ancestor_at(code, n) or code for n in (2, 3, 4))
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    top: dict[str, AreaGroup] = {}
    for ln in lines:
        recipient = ln.need.recipient
        level: dict[str, AreaGroup] = top
        group: AreaGroup | None = None
        for n in (2, 3, 4):
            code = areacodes.ancestor_at(recipient.area_id, n) or recipient.area_id
            group = level.setdefault(code, AreaGroup(code, names.get(code, code), n))
            group.total += ln.quantity
            level = group.children
        assert group is not None
        rgroup = group.recipients.setdefault(
            recipient.pk, RecipientGroup(str(recipient), recipient.area_id))
        rgroup.lines.append(ln)
    return [top[k] for k in sorted(top)]


class RunDetailView(PermissionRequiredMixin, DetailView[AllocationRun]):
    permission_required = "allocation.view_run"
    template_name = "backoffice/allocation_run.html"
    context_object_name = "run"
    queryset = AllocationRun.objects.select_related("round__program", "created_by",
                                                    "approved_by")

    def _lines(self) -> QuerySet[ProposedLine]:
        lines = self.object.lines.select_related(
            "need__recipient", "need__item", "pledge", "purchase")
        within = self.request.GET.get("within", "").strip()
        if within and areacodes.is_valid(within):
            lines = lines.filter(need__recipient__area__code__startswith=within)
        return lines.order_by("need__recipient__area_id", "need__recipient_id", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run = self.object
        context["finished"] = run.state in FINISHED
        context["summary"] = run_summary(run)
        if run.state in (AllocationRun.State.PROPOSED, AllocationRun.State.APPROVED):
            qs = self._lines()
            count = qs.count()
            lines = list(qs[:MAX_LINES])
            context.update(areas=group_by_area(lines), line_count=count,
                           truncated=count > MAX_LINES, max_lines=MAX_LINES,
                           within=self.request.GET.get("within", "").strip())
        # The rule itself: a superuser passes has_perm, but only an assessor allocates.
        may_run = rules.has_perm("allocation.run", self.request.user, run)
        context["may_edit"] = (may_run and run.state == AllocationRun.State.PROPOSED
                               and run.round.is_open)
        context["may_discard"] = may_run and run.state in (AllocationRun.State.PROPOSED,
                                                           AllocationRun.State.FAILED)
        return context


class RunProgressView(RunDetailView):
    """The progress fragment, polled by htmx every second; once the run has finished it
    asks htmx to reload the page so that the proposal shows."""

    template_name = "backoffice/allocation_run_progress.html"

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if context["finished"] and self.request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response


class RunApproveView(_ObjectPostView):
    permission_required = "allocation.run"
    model = AllocationRun

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        run = self.get_object()
        try:
            run_approve(run=run, by=request.user)
        except ValidationError as exc:
            add_error_messages(request, exc)
        else:
            messages.success(request, _("The run is approved; its allocations are recorded."))
        return redirect("backoffice:allocation_run", pk=run.pk)


class RunDiscardView(_ObjectPostView):
    permission_required = "allocation.run"
    model = AllocationRun

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        run = self.get_object()
        try:
            run_discard(run=run, by=request.user)
        except ValidationError as exc:
            add_error_messages(request, exc)
            return redirect("backoffice:allocation_run", pk=run.pk)
        messages.success(request, _("The run is discarded."))
        return redirect("backoffice:round", pk=run.round_id)


class LineEditView(PermissionRequiredMixin, View):
    permission_required = "allocation.run"
    http_method_names = ["post"]

    def get_permission_object(self) -> AllocationRun:
        self.line = get_object_or_404(ProposedLine.objects.select_related("run"),
                                      pk=self.kwargs["pk"])
        return self.line.run

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = LineForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
        else:
            try:
                line_edit(line=self.line, quantity=form.cleaned_data["quantity"],
                          by=request.user)
            except ValidationError as exc:
                add_error_messages(request, exc)
            else:
                messages.success(request, _("The line is changed."))
        return redirect("backoffice:allocation_run", pk=self.line.run_id)


class ManualAllocationView(_ObjectPostView):
    permission_required = "allocation.allocate"
    model = AssessmentRound

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rnd = self.get_object()
        form = ManualAllocationForm(request.POST, round=rnd)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return redirect("backoffice:round", pk=rnd.pk)
        data = form.cleaned_data
        try:
            allocation = allocation_create_manual(supply=data["supply"], need=data["need"],
                                                  quantity=data["quantity"], by=request.user)
        except ValidationError as exc:
            add_error_messages(request, exc)
        else:
            messages.success(request, _("%(quantity)s of %(item)s are allocated to "
                                        "%(recipient)s.") % {
                "quantity": allocation.quantity, "item": data["need"].item.code,
                "recipient": data["need"].recipient})
        return redirect("backoffice:round", pk=rnd.pk)
