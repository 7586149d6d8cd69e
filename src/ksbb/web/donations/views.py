"""Donation pages: registration, pledges and their trail, the aggregator inbox and the
platform administrator's verification queue. Writes go through donations.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.selectors import scope_of
from ksbb.areas.models import Area
from ksbb.donations import services
from ksbb.donations.models import CollaboratorKind, Item, Pledge, Purchase
from ksbb.donations.selectors import (
    aggregators_awaiting_verification,
    pledge_trail,
    pledges_inbox,
    pledges_of_collaborators,
    units_bought,
    verified_aggregators,
)
from ksbb.web.permissions import PermissionRequiredMixin


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: known fields on the field, the rest on top."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, msgs in errors.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


# Public: registration and the list of verified aggregators.

class CollaboratorRegisterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("I am"), choices=CollaboratorKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    area = forms.CharField(label=gettext_lazy("Area code (optional)"), max_length=20,
                           required=False, help_text=gettext_lazy("e.g. 31.71.01.1001"))
    legal_name = forms.CharField(label=gettext_lazy("Legal name (organisations)"),
                                 max_length=200, required=False)
    registration_number = forms.CharField(
        label=gettext_lazy("Registration number (organisations)"), max_length=100,
        required=False)
    nik = forms.CharField(label=gettext_lazy("NIK (individuals, optional)"), max_length=20,
                          required=False)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)

    def clean_area(self) -> Area | None:
        return _area_or_none(self.cleaned_data["area"])


def _area_or_none(code: str) -> Area | None:
    code = code.strip()
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationError(_("unknown area code"))
    return area


def collaborator_register_view(request: HttpRequest) -> HttpResponse:
    form = CollaboratorRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.collaborator_register(**form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _(
                "Welcome, %(name)s. We sent a confirmation link to %(email)s; you can sign "
                "in now.") % {"name": profile.organization.name, "email": profile.contact_email})
            return redirect("login")
    return render(request, "donations/register.html", {"form": form})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.collaborator_verify_email(token=token)
    except ValidationError:
        return render(request, "donations/verify_email.html", {"ok": False}, status=400)
    return render(request, "donations/verify_email.html", {"ok": True})


class AggregatorRegisterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the organisation"), max_length=200)
    licence_number = forms.CharField(label=gettext_lazy("Kemensos licence number"),
                                     max_length=100)
    licence_valid_until = forms.DateField(label=gettext_lazy("Licence valid until"),
                                          widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)


def aggregator_register_view(request: HttpRequest) -> HttpResponse:
    form = AggregatorRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.aggregator_register(**form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Thank you. A platform administrator will check your "
                                        "licence before donors can choose you."))
            return redirect("login")
    return render(request, "donations/aggregator_register.html", {"form": form})


class AggregatorListView(ListView[Organization]):
    template_name = "donations/aggregators.html"
    context_object_name = "aggregators"

    def get_queryset(self) -> QuerySet[Organization]:
        return verified_aggregators()


# Collaborators.

class MyPledgesView(PermissionRequiredMixin, ListView[Pledge]):
    permission_required = "donations.access_my_pledges"
    template_name = "donations/mine.html"
    context_object_name = "pledges"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Pledge]:
        return pledges_of_collaborators(self.request.user)


class PledgeForm(forms.Form):
    collaborator = forms.ModelChoiceField(label=gettext_lazy("On behalf of"),
                                          queryset=Organization.objects.none())
    aggregator = forms.ModelChoiceField(label=gettext_lazy("Through the aggregator"),
                                        queryset=Organization.objects.none())
    item = forms.ModelChoiceField(
        label=gettext_lazy("Aid item"),
        queryset=Item.objects.filter(is_active=True, program__is_active=True)
        .select_related("program"))
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1)
    preferred_area = forms.CharField(label=gettext_lazy("Preferred area code (optional)"),
                                     required=False, max_length=20,
                                     help_text=gettext_lazy("e.g. 31.71.01.1001"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = [org for org, role in scope_of(user).org_roles if role == Role.COLLABORATOR]
        collaborator_field = self.fields["collaborator"]
        aggregator_field = self.fields["aggregator"]
        assert isinstance(collaborator_field, forms.ModelChoiceField)
        assert isinstance(aggregator_field, forms.ModelChoiceField)
        collaborator_field.queryset = Organization.objects.filter(pk__in=own)
        if len(own) == 1:
            self.fields["collaborator"].initial = own[0]
        aggregator_field.queryset = verified_aggregators()

    def clean_preferred_area(self) -> Area | None:
        return _area_or_none(self.cleaned_data["preferred_area"])


class PledgeCreateView(PermissionRequiredMixin, View):
    permission_required = "donations.add_pledge"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "donations/pledge_form.html",
                      {"form": PledgeForm(user=request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PledgeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                pledge = services.pledge_submit(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your pledge is submitted."))
                return redirect("donations:pledge", pk=pledge.pk)
        return render(request, "donations/pledge_form.html", {"form": form}, status=400)


class PledgeDetailView(PermissionRequiredMixin, DetailView[Pledge]):
    permission_required = "donations.view_pledge"
    template_name = "donations/pledge.html"
    context_object_name = "pledge"

    def get_queryset(self) -> QuerySet[Pledge]:
        # Anyone may ask for any id; the permission check answers 403, the queryset 404.
        return Pledge.objects.select_related(
            "collaborator", "aggregator", "program", "item", "preferred_area", "recipient")

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
        return context


class _PledgeActionView(PermissionRequiredMixin, View):
    """POST only; the service checks actor and state, the page shows its refusal."""

    def get_object(self) -> Pledge:
        return get_object_or_404(Pledge, pk=self.kwargs["pk"])

    def act(self, request: HttpRequest, pledge: Pledge) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pledge = self.get_object()
        try:
            self.act(request, pledge)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        next_url = request.POST.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            return HttpResponseRedirect(next_url)
        return redirect("donations:pledge", pk=pledge.pk)


class PledgeCancelView(_PledgeActionView):
    permission_required = "donations.cancel_pledge"

    def act(self, request: HttpRequest, pledge: Pledge) -> None:
        services.pledge_cancel(pledge=pledge, reason=request.POST.get("reason", ""),
                               by=request.user)
        messages.success(request, _("The pledge is cancelled."))


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return -1  # refused by the service with a message on the right field


class PledgeReceiveView(_PledgeActionView):
    permission_required = "donations.receive_pledge"

    def act(self, request: HttpRequest, pledge: Pledge) -> None:
        received = _int_or_none(request.POST.get("received"))
        if pledge.kind == Pledge.Kind.GOODS:
            services.pledge_receive(pledge=pledge, received_quantity=received, by=request.user)
        else:
            services.pledge_receive(pledge=pledge, received_amount=received, by=request.user)
        messages.success(request, _("Receipt confirmed."))


class PledgeRejectView(_PledgeActionView):
    permission_required = "donations.receive_pledge"

    def act(self, request: HttpRequest, pledge: Pledge) -> None:
        services.pledge_reject(pledge=pledge, reason=request.POST.get("reason", ""),
                               by=request.user)
        messages.success(request, _("The pledge is rejected."))


# Aggregators.

class InboxView(PermissionRequiredMixin, ListView[Pledge]):
    permission_required = "donations.access_inbox"
    template_name = "donations/inbox.html"
    context_object_name = "pledges"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Pledge]:
        return pledges_inbox(self.request.user)


# Platform administrators.

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
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, _("%(name)s is verified.") % {"name": aggregator.name})
        return redirect(reverse("donations:verification"))
