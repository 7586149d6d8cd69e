"""Forms of the donation pages. They check what a page can check (required fields, a known
place, the user's own organisations); the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.selectors import scope_of
from ksbb.donations.models import CollaboratorKind, Item, Pledge, Program
from ksbb.donations.selectors import program_names, programs_of_region, verified_aggregators
from ksbb.needs.models import Recipient
from ksbb.needs.selectors import recipients_visible_to
from ksbb.regions.models import Region
from ksbb.regions.selectors import default_region, region_of_area
from ksbb.web.pickers import AreaField


def own_aggregators(user: Any) -> list[int]:
    """Ids of the aggregators the user works for."""
    return [org for org, role in scope_of(user).org_roles if role == Role.AGGREGATOR_STAFF]


# Public: registration.

class CollaboratorRegisterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("I am"), choices=CollaboratorKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    area = AreaField(label=gettext_lazy("Your area (optional)"), required=False,
                     help_text=gettext_lazy("type a name and pick it, e.g. Gambir or "
                                            "Jakarta Pusat"))
    legal_name = forms.CharField(label=gettext_lazy("Legal name (organisations)"),
                                 max_length=200, required=False)
    registration_number = forms.CharField(
        label=gettext_lazy("Registration number (organisations)"), max_length=100,
        required=False)
    nik = forms.CharField(label=gettext_lazy("NIK (individuals, optional)"), max_length=20,
                          required=False)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)


class AggregatorRegisterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the organisation"), max_length=200)
    licence_number = forms.CharField(label=gettext_lazy("Kemensos licence number"),
                                     max_length=100)
    licence_valid_until = forms.DateField(label=gettext_lazy("Licence valid until"),
                                          widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)


# Collaborators.

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
    preferred_area = AreaField(label=gettext_lazy("Preferred area (optional)"),
                               required=False,
                               help_text=gettext_lazy("type a name and pick it, e.g. Gambir, "
                                                      "Gambir RW 3 or Jakarta Pusat"))
    recipient = forms.ModelChoiceField(label=gettext_lazy("Recipient"), required=False,
                                       queryset=Recipient.objects.none(),
                                       widget=forms.HiddenInput)
    # Shown only when the installation runs more than one region; empty: the region of the
    # place chosen, else the default region (ksbb.donations.services.pledge_region).
    region = forms.ModelChoiceField(
        label=gettext_lazy("For the region"), required=False, empty_label=None,
        queryset=Region.objects.none(),
        help_text=gettext_lazy("the KSBB your pledge is given to; a place chosen must lie "
                               "in it"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit_regions(user)
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

    @classmethod
    def refilled(cls, data: Any, *, user: Any) -> PledgeForm:
        """The form as filled in (``data``) but unbound, so that it shows the region chosen
        with its programmes and items without judging anything yet."""
        return cls(user=user, initial={k: v for k, v in data.items()
                                       if k in cls.base_fields and v})

    def _limit_regions(self, user: Any) -> None:
        regions = {r.pk: r for r in Region.objects.all()}
        shown: Region | None = None  # whose programme names the form shows
        if len(regions) <= 1:
            del self.fields["region"]
        else:
            field = self.fields["region"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Region.objects.all()
            if self.is_bound:
                value = self.data.get("region")
                shown = regions.get(int(value)) if str(value).isdigit() else None
            elif isinstance(self.initial.get("region"), Region):
                shown = self.initial["region"]
            elif str(self.initial.get("region")).isdigit():  # the form re-shown for it
                shown = regions.get(int(str(self.initial["region"])))
            else:
                place = self._place(self.initial.get("preferred_area"),
                                    self.initial.get("recipient"), user)
                shown = region_of_area(place) if place else None
            shown = shown or default_region()
            field.initial = shown.pk
        # The programmes (and their items) the region runs, named as it names them.
        runs = programs_of_region(shown)
        program = self.fields["program"]
        item = self.fields["item"]
        assert isinstance(program, forms.ModelChoiceField)
        assert isinstance(item, forms.ModelChoiceField)
        program.queryset = runs
        item.queryset = Item.objects.filter(is_active=True, program__in=runs).select_related(
            "program")
        names = program_names(shown)
        if names:
            program.label_from_instance = (  # type: ignore[method-assign]
                lambda p: names.get(p.code, p.name))

    @staticmethod
    def _place(area: Any, recipient: Any, user: Any) -> str | None:
        """The area code of the place chosen: the recipient's area, else the area."""
        if isinstance(recipient, Recipient):
            return recipient.area_id
        if recipient and str(recipient).isdigit():
            found = recipients_visible_to(user).filter(pk=recipient).values_list(
                "area_id", flat=True).first()
            if found:
                return found
        if area is not None and hasattr(area, "code"):
            return str(area.code)
        return str(area).strip() if area else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("region")
        if chosen is not None:
            place = data.get("recipient") or data.get("preferred_area")
            code = place.area_id if isinstance(place, Recipient) else (
                place.code if place is not None else None)
            lies_in = (region_of_area(code) or default_region()) if code else None
            if lies_in is not None and lies_in.pk != chosen.pk:
                self.add_error("region", _(
                    "%(place)s lies in the region %(other)s, not in %(region)s: choose "
                    "%(other)s or another place") % {
                        "place": place, "other": lies_in.name, "region": chosen.name})
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
                  "recipient": data.get("recipient"), "region": data.get("region")}
        if data["kind"] == Pledge.Kind.GOODS:
            kwargs.update(item=data["item"], quantity=data["quantity"])
        else:
            kwargs.update(program=data["program"], amount=data["amount_rupiah"])
        return kwargs


# Aggregators.

class _AggregatorChoiceMixin:
    """An ``aggregator`` field limited to the user's own, filled in when there is one."""

    fields: dict[str, Any]
    cleaned_data: dict[str, Any]

    def _limit_aggregators(self, user: Any) -> None:
        self._own = own_aggregators(user)
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


class PledgeImportForm(_AggregatorChoiceMixin, forms.Form):
    aggregator = forms.ModelChoiceField(label=gettext_lazy("Aggregator"), required=False,
                                        queryset=Organization.objects.none())
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit_aggregators(user)
