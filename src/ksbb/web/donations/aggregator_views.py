"""An aggregator's pages: the inbox of pledges to confirm or reject, purchases paid with
donated money, and many pledges from one file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from ksbb.donations import imports as pledge_imports
from ksbb.donations import services
from ksbb.donations.models import Pledge, Purchase
from ksbb.donations.selectors import (
    pledges_inbox,
    purchases_visible_to,
    spendable_money_pledges,
    units_bought,
    with_program_label,
)
from ksbb.web.donations.forms import PledgeImportForm, PurchaseForm, own_aggregators
from ksbb.web.donations.pledges import PledgeActionView
from ksbb.web.errors import add_form_errors
from ksbb.web.files import file_response
from ksbb.web.permissions import PermissionRequiredMixin


class InboxView(PermissionRequiredMixin, ListView[Pledge]):
    permission_required = "donations.access_inbox"
    template_name = "donations/inbox.html"
    context_object_name = "pledges"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Pledge]:
        return with_program_label(pledges_inbox(self.request.user))


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return -1  # refused by the service with a message on the right field


class PledgeReceiveView(PledgeActionView):
    permission_required = "donations.receive_pledge"

    def act(self, request: HttpRequest, pledge: Pledge) -> None:
        received = _int_or_none(request.POST.get("received"))
        if pledge.kind == Pledge.Kind.GOODS:
            services.pledge_receive(pledge=pledge, received_quantity=received, by=request.user)
        else:
            services.pledge_receive(pledge=pledge, received_amount=received, by=request.user)
        messages.success(request, _("Receipt confirmed."))


class PledgeRejectView(PledgeActionView):
    permission_required = "donations.receive_pledge"

    def act(self, request: HttpRequest, pledge: Pledge) -> None:
        services.pledge_reject(pledge=pledge, reason=request.POST.get("reason", ""),
                               by=request.user)
        messages.success(request, _("The pledge is rejected."))


# Purchases with pledged money.

class PurchasesView(PermissionRequiredMixin, View):
    """Record a purchase paid with received money pledges; list past purchases."""

    permission_required = "donations.access_purchases"

    def _context(self, request: HttpRequest, form: PurchaseForm) -> dict[str, Any]:
        own = own_aggregators(request.user)
        purchases = list(purchases_visible_to(request.user).filter(aggregator_id__in=own)
                         .prefetch_related("fundings")[:200])
        return {"form": form, "purchases": purchases,
                "shares": units_bought(Purchase.objects.filter(
                    pk__in=[p.pk for p in purchases]))}

    def _form(self, request: HttpRequest, *args: Any) -> PurchaseForm:
        spendable = spendable_money_pledges(own_aggregators(request.user))
        return PurchaseForm(*args, user=request.user, spendable=spendable)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request)
        return render(request, "donations/purchases.html", self._context(request, form))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                purchase = services.purchase_record(
                    aggregator=data["aggregator"], item=data["item"],
                    quantity=data["quantity"], cost_rupiah=data["cost_rupiah"],
                    supplier=data["supplier"], purchased_at=data.get("purchased_at"),
                    receipt=data["receipt"], funding=data["funding"], by=request.user)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Purchase #%(id)s is recorded.")
                                 % {"id": purchase.pk})
                return redirect("donations:purchases")
        return render(request, "donations/purchases.html", self._context(request, form),
                      status=400)


class PurchaseReceiptView(PermissionRequiredMixin, View):
    """The purchase's receipt document, for whoever may see the purchase."""

    permission_required = "donations.view_purchase"

    def get_object(self) -> Purchase:
        return get_object_or_404(Purchase, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        purchase = self.get_object()
        if not purchase.receipt:
            raise Http404(_("this purchase has no receipt document"))
        name = (purchase.receipt.name or "").rsplit("/", 1)[-1]
        return file_response(purchase.receipt.open("rb"), attachment=False,
                             filename=f"purchase-{purchase.pk}-{name}")


# Many pledges from one file.

class PledgeImportView(PermissionRequiredMixin, View):
    permission_required = "donations.access_import"

    def _render(self, request: HttpRequest, form: PledgeImportForm, report: Any = None,
                status: int = 200) -> HttpResponse:
        return render(request, "donations/import.html", {
            "form": form, "report": report, "columns": pledge_imports.COLUMNS,
            "max_rows": pledge_imports.MAX_ROWS}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, PledgeImportForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PledgeImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self._render(request, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            report = pledge_imports.pledges_import(
                aggregator=form.cleaned_data["aggregator"], source=upload,
                filename=upload.name, by=request.user)
        except ValidationError as exc:
            add_form_errors(form, exc)
            return self._render(request, form, status=400)
        if not report.ok:
            return self._render(request, form, report, status=400)
        messages.success(request, _("%(count)s pledges imported.") % {"count": report.created})
        return redirect("donations:import")
