"""Donation pages: registration, pledges and their trail, the aggregator inbox and the
platform administrator's verification queue. Writes go through donations.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.selectors import scope_of
from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.core.privacy import personal_data_viewed
from ksbb.donations import imports as pledge_imports
from ksbb.donations import services
from ksbb.donations.models import CollaboratorKind, Item, Pledge, Program, Purchase
from ksbb.donations.pdf import DonationReceiptPdf, has_receipt
from ksbb.donations.selectors import (
    aggregators_awaiting_verification,
    need_map,
    need_map_recipients,
    pledge_trail,
    pledges_inbox,
    pledges_of_collaborators,
    purchases_visible_to,
    spendable_money_pledges,
    units_bought,
    verified_aggregators,
)
from ksbb.needs.models import Recipient
from ksbb.needs.selectors import recipients_visible_to
from ksbb.privacy.selectors import donor_contact_for
from ksbb.stats.pagecache import serve_cached
from ksbb.web.limits import over_limit
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
        refused = over_limit(request, "signup", settings.KSBB_SIGNUP_RATE)
        if refused is not None:
            return refused
        try:
            # None for an address that has an account: the same answer (see the service).
            services.collaborator_register(**form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _(
                "Thank you, %(name)s. We sent a message to %(email)s: open the link in it to "
                "confirm your address. Sign in with your e-mail address and password.")
                % {"name": form.cleaned_data["name"], "email": form.cleaned_data["email"]})
            return redirect("login")
    return render(request, "donations/register.html", {"form": form})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.collaborator_verify_email(token=token)
    except ValidationError:
        return render(request, "donations/verify_email.html", {"ok": False}, status=400)
    return render(request, "donations/verify_email.html", {"ok": True})


class CollaboratorLinkView(View):
    """An invited collaborator confirms that an aggregator may record their donations."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

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
        refused = over_limit(request, "signup", settings.KSBB_SIGNUP_RATE)
        if refused is not None:
            return refused
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
    kind = forms.ChoiceField(label=gettext_lazy("I pledge"), required=False,
                             choices=Pledge.Kind.choices, initial=Pledge.Kind.GOODS,
                             widget=forms.RadioSelect)
    item = forms.ModelChoiceField(
        label=gettext_lazy("Aid item"), required=False,
        queryset=Item.objects.filter(is_active=True, program__is_active=True)
        .select_related("program"))
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, required=False)
    program = forms.ModelChoiceField(
        label=gettext_lazy("Programme (money)"), required=False,
        queryset=Program.objects.filter(is_active=True))
    amount_rupiah = forms.IntegerField(label=gettext_lazy("Amount in rupiah (money)"),
                                       min_value=1, required=False)
    preferred_area = forms.CharField(label=gettext_lazy("Preferred area code (optional)"),
                                     required=False, max_length=20,
                                     help_text=gettext_lazy("e.g. 31.71.01.1001"))
    recipient = forms.ModelChoiceField(label=gettext_lazy("Recipient"), required=False,
                                       queryset=Recipient.objects.none(),
                                       widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = [org for org, role in scope_of(user).org_roles if role == Role.COLLABORATOR]
        collaborator_field = self.fields["collaborator"]
        aggregator_field = self.fields["aggregator"]
        recipient_field = self.fields["recipient"]
        assert isinstance(collaborator_field, forms.ModelChoiceField)
        assert isinstance(aggregator_field, forms.ModelChoiceField)
        assert isinstance(recipient_field, forms.ModelChoiceField)
        collaborator_field.queryset = Organization.objects.filter(pk__in=own)
        if len(own) == 1:
            self.fields["collaborator"].initial = own[0]
        aggregator_field.queryset = verified_aggregators()
        recipient_field.queryset = recipients_visible_to(user)

    def clean_preferred_area(self) -> Area | None:
        return _area_or_none(self.cleaned_data["preferred_area"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind") or (
            Pledge.Kind.MONEY if (data.get("program") or data.get("amount_rupiah"))
            and not data.get("item") else Pledge.Kind.GOODS)
        data["kind"] = kind
        if kind == Pledge.Kind.GOODS:
            for field in ("item", "quantity"):
                if data.get(field) is None and field not in self.errors:
                    self.add_error(field, _("required for a pledge of goods"))
        else:
            for field in ("program", "amount_rupiah"):
                if data.get(field) is None and field not in self.errors:
                    self.add_error(field, _("required for a pledge of money"))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs = {"collaborator": data["collaborator"], "aggregator": data["aggregator"],
                  "preferred_area": data.get("preferred_area"),
                  "recipient": data.get("recipient")}
        if data["kind"] == Pledge.Kind.GOODS:
            kwargs.update(item=data["item"], quantity=data["quantity"])
        else:
            kwargs.update(program=data["program"], amount=data["amount_rupiah"])
        return kwargs


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
        return self._render(request, PledgeForm(user=request.user, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PledgeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                pledge = services.pledge_submit(by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your pledge is submitted."))
                return redirect("donations:pledge", pk=pledge.pk)
        return self._render(request, form, status=400)


class NeedMapView(PermissionRequiredMixin, View):
    """Where aid is needed: a choropleth of assessed need against what donors gave, per
    area (regency > district > village), and in a village its RWs and institutions with what
    they still lack, each with a link to the pledge form for it. Public (a donor looks before
    registering); the same rows as a table without JavaScript. Anonymous visitors get it from
    the page cache (ksbb.stats.pagecache)."""

    permission_required = "donations.view_need_map"

    def get(self, request: HttpRequest) -> HttpResponse:
        return serve_cached(request, "needs", lambda: self._page(request))

    def _page(self, request: HttpRequest) -> HttpResponse:
        items = list(Item.objects.filter(is_active=True, program__is_active=True)
                     .select_related("program"))
        codes = {i.code for i in items}
        item_code = request.GET.get("item", "")
        if item_code not in codes:
            item_code = "sembako" if "sembako" in codes else (items[0].code if items else "")
        within = request.GET.get("within", "").strip()
        if within and (not areacodes.is_valid(within) or areacodes.level_of(within) > 4):
            within = ""
        trail = []
        if within:
            chain = areacodes.ancestors(within, top=areacodes.Level.REGENCY,
                                        include_self=True)
            names = dict(Area.objects.filter(code__in=chain).values_list("code", "name"))
            trail = [(code, names.get(code, code)) for code in chain]
        if within and areacodes.level_of(within) == 4:
            rows = need_map_recipients(item_code=item_code, village=within)
            recipients_level = True
        else:
            rows = need_map(item_code=item_code, within=within or None)
            recipients_level = False
        # Anonymous visitors see the pledge links too: the form asks them to sign in first.
        can_pledge = (request.user.has_perm("donations.add_pledge")
                      or not request.user.is_authenticated)
        return render(request, "donations/needs.html", {
            "rows": rows, "items": items, "item_code": item_code, "within": within,
            "trail": trail, "recipients_level": recipients_level,
            "can_pledge": can_pledge, "map": _need_map_block(rows, within, item_code,
                                                             recipients_level),
            "totals": {name: sum(getattr(r, name) for r in rows)
                       for name in ("need", "covered", "delivered", "promised")},
        })


def _need_map_block(rows: list[Any], within: str, item_code: str,
                    recipients_level: bool) -> dict[str, Any]:
    """The choropleth above the table (the table is the page's own, with pledge links)."""
    from django.utils.http import urlencode

    from ksbb.web.public.maps import map_block

    def drill(code: str) -> str:
        return "?" + urlencode({"within": code, "item": item_code})

    data_rows = [{"code": r.code, "label": r.name, "need": r.need, "done": r.covered,
                  "percent": r.percent, "href": drill(r.code) if r.has_children else ""}
                 for r in rows]
    return map_block(rows=data_rows, parent=within or None,
                     title=_("Map of need: the redder, the less covered"),
                     done_label=_("Covered"), need_label=_("Need"),
                     drawable=not recipients_level, map_id="need-map", with_table=False)


class PledgeDetailView(PermissionRequiredMixin, DetailView[Pledge]):
    permission_required = "donations.view_pledge"
    template_name = "donations/pledge.html"
    context_object_name = "pledge"

    def get_queryset(self) -> QuerySet[Pledge]:
        return Pledge.objects.select_related(
            "collaborator", "aggregator", "program", "item", "preferred_area", "recipient")

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


# Aggregators: purchases with pledged money.

def _own_aggregators(user: Any) -> list[int]:
    return [org for org, role in scope_of(user).org_roles if role == Role.AGGREGATOR_STAFF]


class _AggregatorChoiceMixin:
    """An ``aggregator`` field limited to the user's own, filled in when there is one."""

    fields: dict[str, Any]
    cleaned_data: dict[str, Any]

    def _limit_aggregators(self, user: Any) -> None:
        self._own = _own_aggregators(user)
        field = self.fields["aggregator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.filter(pk__in=self._own)
        if len(self._own) == 1:
            field.initial = self._own[0]

    def clean_aggregator(self) -> Organization:
        aggregator = self.cleaned_data.get("aggregator")
        if aggregator is None and len(self._own) == 1:
            aggregator = Organization.objects.get(pk=self._own[0])
        if aggregator is None:
            raise ValidationError(_("choose the aggregator"))
        return aggregator


class PurchaseForm(_AggregatorChoiceMixin, forms.Form):
    aggregator = forms.ModelChoiceField(label=gettext_lazy("Aggregator"), required=False,
                                        queryset=Organization.objects.none())
    item = forms.ModelChoiceField(
        label=gettext_lazy("Aid item bought"),
        queryset=Item.objects.filter(is_active=True).select_related("program"))
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1)
    cost_rupiah = forms.IntegerField(label=gettext_lazy("Total cost (rupiah)"), min_value=1)
    supplier = forms.CharField(label=gettext_lazy("Supplier"), max_length=200)
    purchased_at = forms.DateField(label=gettext_lazy("Purchase date"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    receipt = forms.FileField(
        label=gettext_lazy("Receipt (PDF or image, at most 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}))

    def __init__(self, *args: Any, user: Any, spendable: list[tuple[Pledge, int]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit_aggregators(user)
        self.spendable = spendable
        for pledge, left in spendable:
            self.fields[f"fund_{pledge.pk}"] = forms.IntegerField(
                label=f"#{pledge.pk}", required=False, min_value=1, max_value=left)

    def funding_rows(self) -> list[tuple[Pledge, int, Any]]:
        return [(p, left, self[f"fund_{p.pk}"]) for p, left in self.spendable]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        funding = [(p, data[f"fund_{p.pk}"]) for p, _left in self.spendable
                   if data.get(f"fund_{p.pk}")]
        if not funding:
            raise ValidationError(_("enter how much of at least one money pledge paid for "
                                    "this"))
        data["funding"] = funding
        return data


class PurchasesView(PermissionRequiredMixin, View):
    """Record a purchase paid with received money pledges; list past purchases."""

    permission_required = "donations.access_purchases"

    def _context(self, request: HttpRequest, form: PurchaseForm) -> dict[str, Any]:
        own = _own_aggregators(request.user)
        purchases = list(purchases_visible_to(request.user).filter(aggregator_id__in=own)
                         .prefetch_related("fundings")[:200])
        return {"form": form, "purchases": purchases,
                "shares": units_bought(Purchase.objects.filter(
                    pk__in=[p.pk for p in purchases]))}

    def _form(self, request: HttpRequest, *args: Any) -> PurchaseForm:
        spendable = spendable_money_pledges(_own_aggregators(request.user))
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
                _add_errors(form, exc)
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
        return FileResponse(purchase.receipt.open("rb"), as_attachment=False,
                            filename=f"purchase-{purchase.pk}-{name}")


# Aggregators: many pledges from one file.

class PledgeImportForm(_AggregatorChoiceMixin, forms.Form):
    aggregator = forms.ModelChoiceField(label=gettext_lazy("Aggregator"), required=False,
                                        queryset=Organization.objects.none())
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit_aggregators(user)


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
            _add_errors(form, exc)
            return self._render(request, form, status=400)
        if not report.ok:
            return self._render(request, form, report, status=400)
        messages.success(request, _("%(count)s pledges imported.") % {"count": report.created})
        return redirect("donations:import")


# The donation receipt PDF.

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


def pledge_receipt_response(pledge: Pledge, request: HttpRequest) -> HttpResponse:
    check_url = request.build_absolute_uri(reverse("donations:pledge", args=[pledge.pk]))
    body = DonationReceiptPdf(pledge, check_url=check_url).render()
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tanda-terima-{pledge.pk}.pdf"'
    return response
