"""Forms of the back-office pages for recipients, rounds and needs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ksbb.donations.models import Item, Program
from ksbb.needs.models import AssessmentRound, Need, Recipient
from ksbb.regions.selectors import region_key_of
from ksbb.web.pickers import VILLAGE_OR_RW, AreaField, RecipientField, recipients_of_region

INSTITUTION_KINDS = [(v, label) for v, label in Recipient.Kind.choices if v != Recipient.Kind.RW]


class InstitutionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=INSTITUTION_KINDS)
    name = forms.CharField(label=_("Name"), max_length=200)
    area = AreaField(label=_("Village or RW"), levels=VILLAGE_OR_RW,
                     help_text=_("type the name of the village (kelurahan) and pick it, "
                                 "e.g. Gambir or Gambir RW 3; a Kemendagri code works too"))
    residents = forms.IntegerField(label=_("Residents"), min_value=0, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)


class CodeChoiceField(forms.ModelChoiceField):
    """A programme or aid item chosen from a list by name; its code (the option's value)
    still works when typed, without regard to case (pangan or PANGAN)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and self.queryset is not None:
            found = self.queryset.filter(code__iexact=value.strip()).first()
            if found is not None:
                return found
        return super().to_python(value)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    program = CodeChoiceField(label=_("Programme"), to_field_name="code",
                              queryset=Program.objects.filter(is_active=True))
    period_start = forms.DateField(label=_("Period start"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"),
                                 widget=forms.DateInput(attrs={"type": "date"}))


def _round_items(field: forms.Field, round: AssessmentRound | None) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    if round is not None:
        field.queryset = Item.objects.filter(program_id=round.program_id, is_active=True)


class NeedForm(forms.Form):
    recipient = RecipientField(label=_("Recipient"),
                               help_text=_("the RW (e.g. Gambir RW 3) or the institution's "
                                           "name; pick it from the list"))
    item = CodeChoiceField(label=_("Aid item"), to_field_name="code",
                           queryset=Item.objects.filter(is_active=True))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Need.Priority.choices,
                                      coerce=int, initial=Need.Priority.NORMAL)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, round: AssessmentRound | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _round_items(self.fields["item"], round)
        if round is not None:
            # Another region's institution is not known here, as one that does not exist.
            recipient_field = self.fields["recipient"]
            assert isinstance(recipient_field, RecipientField)
            recipient_field.queryset = recipients_of_region(region_key_of(round))


class NeedsFileForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"),
                           help_text=_("columns: recipient, item, quantity, priority"))


class PovertyFileForm(forms.Form):
    item = CodeChoiceField(label=_("Aid item"), to_field_name="code", initial="sembako",
                           queryset=Item.objects.filter(is_active=True))
    per_poor_household = forms.IntegerField(label=_("Units per poor household"), min_value=1,
                                            initial=1)
    file = forms.FileField(label=_("Poor households per RW (CSV or XLSX, optional)"),
                           required=False,
                           help_text=_("columns: rw_code, poor_households; leave empty to use "
                                       "the figures per RW already in the system"))
    health_file = forms.FileField(label=_("RWs listed by the health office (optional)"),
                                  required=False, help_text=_("column: rw_code"))

    def __init__(self, *args: Any, round: AssessmentRound | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _round_items(self.fields["item"], round)
