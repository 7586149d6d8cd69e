"""What the collaborator's and the aggregator's pages share about one pledge: the base of
the actions on it and the donation receipt (also handed over by the API)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View

from ksbb.donations.models import Pledge
from ksbb.donations.pdf import DonationReceiptPdf
from ksbb.web.errors import add_error_messages
from ksbb.web.files import file_response
from ksbb.web.permissions import PermissionRequiredMixin
from ksbb.web.redirects import redirect_next


class PledgeActionView(PermissionRequiredMixin, View):
    """POST only; the service checks actor and state, the page shows its refusal and goes
    back to ``next`` (the list the button was on) or to the pledge."""

    def get_object(self) -> Pledge:
        return get_object_or_404(Pledge, pk=self.kwargs["pk"])

    def act(self, request: HttpRequest, pledge: Pledge) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pledge = self.get_object()
        try:
            self.act(request, pledge)
        except ValidationError as exc:
            add_error_messages(request, exc)
        return redirect_next(request, "donations:pledge", pk=pledge.pk)


def pledge_receipt_response(pledge: Pledge, request: HttpRequest) -> HttpResponse:
    """The donation receipt PDF; its QR code points at the pledge's page."""
    check_url = request.build_absolute_uri(reverse("donations:pledge", args=[pledge.pk]))
    return file_response(DonationReceiptPdf(pledge, check_url=check_url).render(),
                         filename=f"tanda-terima-{pledge.pk}.pdf",
                         content_type="application/pdf")
