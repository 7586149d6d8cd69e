"""Scheduling deliveries: approved allocations, grouped by recipient, handed to an executor.

Open to the assessor (all allocations) and to aggregator staff (allocations of their own
pledges and purchases); the service checks the same rule again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.selectors import scope_of
from ksbb.allocation.models import Allocation
from ksbb.distribution.selectors import allocations_to_deliver
from ksbb.distribution.services import delivery_schedule
from ksbb.regions.selectors import actor_regions_filter
from ksbb.web.permissions import PermissionRequiredMixin
from ksbb.web.pickers import area_filter


def _visible_allocations(user: Any, within: str = "") -> list[Allocation]:
    qs = allocations_to_deliver().select_related("recipient__area", "item")
    if within:
        # A district-wide run leaves dozens of recipients: narrow to one area's codes.
        qs = qs.filter(recipient__area__code__startswith=within)
    scope = scope_of(user)
    if scope.roles & {Role.ASSESSOR, Role.PLATFORM_ADMIN}:
        qs = qs.filter(actor_regions_filter(user, area="recipient__area__code"))
    else:
        own = [org for org, role in scope.org_roles if role == Role.AGGREGATOR_STAFF]
        qs = qs.filter(Q(pledge__aggregator_id__in=own) | Q(purchase__aggregator_id__in=own))
    return list(qs.order_by("recipient__area_id", "recipient_id", "item__code", "pk")[:2000])


class ScheduleView(PermissionRequiredMixin, View):
    permission_required = "distribution.schedule_delivery"

    def _context(self, request: HttpRequest) -> dict[str, Any]:
        groups: dict[Any, list[Allocation]] = defaultdict(list)
        area_filter_form, within = area_filter(request)
        for allocation in _visible_allocations(request.user, within):
            groups[allocation.recipient].append(allocation)
        return {
            "groups": list(groups.items()),
            "within": within,
            "area_filter": area_filter_form,
            "executors": Organization.objects.filter(
                kind=Organization.Kind.EXECUTOR, is_active=True).order_by("name"),
            "tomorrow": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "backoffice/schedule.html", self._context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        context = self._context(request)
        errors: list[str] = []
        ids = [int(v) for v in request.POST.getlist("allocation") if v.isdigit()]
        chosen = list(Allocation.objects.filter(pk__in=ids))
        executor = Organization.objects.filter(
            pk=request.POST.get("executor") or 0, kind=Organization.Kind.EXECUTOR).first()
        try:
            when = dt.date.fromisoformat(request.POST.get("scheduled_for", ""))
        except ValueError:
            when = None
        if not chosen:
            errors.append(_("Choose at least one allocation."))
        if executor is None:
            errors.append(_("Choose an executor."))
        if when is None:
            errors.append(_("Enter the delivery date as YYYY-MM-DD."))
        if not errors and len({a.recipient_id for a in chosen}) != 1:
            errors.append(_("A delivery goes to one recipient: choose allocations of one "
                            "recipient only."))
        if not errors:
            assert executor is not None and when is not None
            try:
                delivery = delivery_schedule(allocations=chosen, executor=executor,
                                             scheduled_for=when, by=request.user)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, _("Delivery #%(id)s scheduled for %(recipient)s.")
                                 % {"id": delivery.pk, "recipient": delivery.recipient})
                return redirect(request.get_full_path())
        context["errors"] = errors
        return render(request, "backoffice/schedule.html", context, status=400)
