"""The platform administrator's queue of aggregators waiting for their licence to be
checked."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from ksbb.accounts.models import Organization
from ksbb.donations import services
from ksbb.donations.selectors import aggregators_awaiting_verification
from ksbb.web.errors import add_error_messages
from ksbb.web.permissions import PermissionRequiredMixin


class VerificationQueueView(PermissionRequiredMixin, ListView[Organization]):
    permission_required = "donations.verify_aggregator"
    template_name = "donations/verification.html"
    context_object_name = "aggregators"

    def get_queryset(self) -> QuerySet[Organization]:
        return aggregators_awaiting_verification()


class AggregatorVerifyView(PermissionRequiredMixin, View):
    permission_required = "donations.verify_aggregator"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        aggregator = get_object_or_404(Organization, pk=pk, kind=Organization.Kind.AGGREGATOR)
        try:
            services.aggregator_verify(aggregator=aggregator, by=request.user)
        except ValidationError as exc:
            add_error_messages(request, exc)
        else:
            messages.success(request, _("%(name)s is verified.") % {"name": aggregator.name})
        return redirect("donations:verification")
