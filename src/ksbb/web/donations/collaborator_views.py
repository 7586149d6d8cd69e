"""A donor's pages: my donations, an aggregator's invitation, a new pledge, the pledge's
trail (which its aggregator sees too), its cancellation and its receipt."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from ksbb.core.privacy import personal_data_viewed
from ksbb.donations import services
from ksbb.donations.models import Item, Pledge, Purchase
from ksbb.donations.pdf import has_receipt
from ksbb.donations.selectors import (
    pledge_trail,
    pledges_of_collaborators,
    units_bought,
    with_program_label,
)
from ksbb.needs.selectors import recipients_visible_to
from ksbb.privacy.selectors import donor_contact_for
from ksbb.regions.selectors import region_by_slug
from ksbb.web.donations.forms import PledgeForm
from ksbb.web.donations.pledges import PledgeActionView, pledge_receipt_response
from ksbb.web.errors import add_form_errors
from ksbb.web.permissions import PermissionRequiredMixin


class MyPledgesView(PermissionRequiredMixin, ListView[Pledge]):
    permission_required = "donations.access_my_pledges"
    template_name = "donations/mine.html"
    context_object_name = "pledges"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Pledge]:
        return with_program_label(pledges_of_collaborators(self.request.user))


class CollaboratorLinkView(View):
    """An invited collaborator confirms that an aggregator may record their donations."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            link = services.collaborator_link_from_token(token)
        except ValidationError:
            return render(request, "donations/link_accept.html", {"link": None}, status=400)
        return render(request, "donations/link_accept.html", {"link": link})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            link = services.collaborator_link_accept(token=token, by=request.user)
        except services.NotAllowed as exc:
            return render(request, "donations/link_accept.html",
                          {"link": None, "error": " ".join(exc.messages)}, status=403)
        except ValidationError:
            return render(request, "donations/link_accept.html", {"link": None}, status=400)
        messages.success(request, _("Thank you: %(aggregator)s may now record your donations.")
                         % {"aggregator": link.aggregator.name})
        return redirect("donations:mine")


class PledgeCreateView(PermissionRequiredMixin, View):
    permission_required = "donations.add_pledge"

    def _render(self, request: HttpRequest, form: PledgeForm, status: int = 200
                ) -> HttpResponse:
        recipient = None
        value = form["recipient"].value()
        if value:
            recipient = recipients_visible_to(request.user).filter(
                pk=value if str(value).isdigit() else 0).first()
        return render(request, "donations/pledge_form.html",
                      {"form": form, "recipient": recipient}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {
            k: request.GET[k] for k in ("preferred_area", "recipient", "item", "kind",
                                        "program") if request.GET.get(k)}
        if "item" in initial:
            item = Item.objects.filter(code=initial["item"]).first()
            initial["item"] = item.pk if item else ""
        region = region_by_slug(request.GET.get("region", ""))
        if region is not None:
            initial["region"] = region
        return self._render(request, PledgeForm(user=request.user, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("refresh"):
            # Without JavaScript the programmes cannot follow the region select: its button
            # shows the form again for the region chosen, kept as filled in, unjudged.
            return self._render(request, PledgeForm.refilled(request.POST, user=request.user))
        form = PledgeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                pledge = services.pledge_submit(by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your pledge is submitted."))
                return redirect("donations:pledge", pk=pledge.pk)
        return self._render(request, form, status=400)


class PledgeChoicesView(PermissionRequiredMixin, View):
    """The pledge form's programme and item selects for the region chosen (``?region=``,
    its id), swapped in out of band when the region select changes."""

    permission_required = "donations.add_pledge"

    def get(self, request: HttpRequest) -> HttpResponse:
        # A programme or item already chosen stays chosen where the region runs it; nothing
        # is judged here (the whole form is, on submit).
        form = PledgeForm.refilled(request.GET, user=request.user)
        return render(request, "donations/_pledge_choices.html", {"form": form})


class PledgeDetailView(PermissionRequiredMixin, DetailView[Pledge]):
    permission_required = "donations.view_pledge"
    template_name = "donations/pledge.html"
    context_object_name = "pledge"

    def get_queryset(self) -> QuerySet[Pledge]:
        return with_program_label(Pledge.objects.select_related(
            "collaborator", "aggregator", "program", "item", "preferred_area", "recipient"))

    def handle_no_permission(self) -> HttpResponseRedirect:
        # Another organisation's pledge is "not found", as the API answers: a 403 would
        # tell that the id exists.
        if self.request.user.is_authenticated:
            raise Http404
        return super().handle_no_permission()  # type: ignore[no-any-return]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        pledge = self.object
        user = self.request.user
        context["trail"] = pledge_trail(pledge)
        purchases = Purchase.objects.filter(fundings__pledge=pledge)
        context["funded"] = units_bought(purchases).get(pledge.pk, [])
        context["items"] = {i.pk: i for i in Item.objects.filter(
            pk__in=[f.item_id for f in context["funded"]])}
        submitted = pledge.state == Pledge.State.SUBMITTED
        context["can_cancel"] = submitted and user.has_perm("donations.cancel_pledge", pledge)
        context["can_receive"] = submitted and user.has_perm("donations.receive_pledge", pledge)
        context["can_download_receipt"] = has_receipt(pledge) and user.has_perm(
            "donations.download_receipt", pledge)
        # Personal data (UU PDP): masked unless the rule allows it; full views are audited.
        context["donor_contact"] = contact = donor_contact_for(pledge, user)
        if contact is not None and contact.audit_fields:
            personal_data_viewed(by=user, obj=pledge.collaborator.collaborator_profile,
                                 fields=contact.audit_fields)
        return context


class PledgeCancelView(PledgeActionView):
    permission_required = "donations.cancel_pledge"

    def act(self, request: HttpRequest, pledge: Pledge) -> None:
        services.pledge_cancel(pledge=pledge, reason=request.POST.get("reason", ""),
                               by=request.user)
        messages.success(request, _("The pledge is cancelled."))


class PledgeReceiptPdfView(PermissionRequiredMixin, DetailView[Pledge]):
    permission_required = "donations.download_receipt"

    def get_queryset(self) -> QuerySet[Pledge]:
        return Pledge.objects.select_related("collaborator", "aggregator", "program", "item",
                                             "preferred_area", "recipient")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pledge = self.get_object()
        if not has_receipt(pledge):
            raise Http404(_("a receipt exists once the aggregator confirms receipt"))
        return pledge_receipt_response(pledge, request)
