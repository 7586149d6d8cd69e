"""Forms of the back-office pages for recipients, rounds and needs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ksbb.areas.models import Area
from ksbb.donations.models import Program
from ksbb.needs.models import Need, Recipient

INSTITUTION_KINDS = [(v, label) for v, label in Recipient.Kind.choices if v != Recipient.Kind.RW]


class AreaCodeField(forms.CharField):
    """An area typed as its Kemendagri code, e.g. 31.71.01.1001."""

    def clean(self, value: Any) -> Area | None:
        code = super().clean(value)
        if not code:
            return None
        area = Area.objects.filter(code=code.strip()).first()
        if area is None:
            raise forms.ValidationError(_("no area has the code %(code)s") % {"code": code})
        return area


class InstitutionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=INSTITUTION_KINDS)
    name = forms.CharField(label=_("Name"), max_length=200)
    area = AreaCodeField(label=_("Village or RW code"), max_length=20,
                         help_text=_("for example 31.71.01.1001 or 31.71.01.1001.003"))
    residents = forms.IntegerField(label=_("Residents"), min_value=0, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)


class ProgramChoiceField(forms.ModelChoiceField):
    """A programme chosen by its code, without regard to case (pangan or PANGAN)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and self.queryset is not None:
            found = self.queryset.filter(code__iexact=value.strip()).first()
            if found is not None:
                return found
        return super().to_python(value)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    program = ProgramChoiceField(label=_("Programme"), to_field_name="code",
                                     queryset=Program.objects.filter(is_active=True))
    period_start = forms.DateField(label=_("Period start"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"),
                                 widget=forms.DateInput(attrs={"type": "date"}))


class NeedForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=40,
                                help_text=_("RW code such as 31.71.01.1001.003, or "
                                            "institution id such as I-12"))
    item = forms.CharField(label=_("Aid item code"), max_length=40,
                           help_text=_("an item of the round's programme, e.g. sembako"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Need.Priority.choices,
                                      coerce=int, initial=Need.Priority.NORMAL)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_recipient(self) -> Recipient:
        text = self.cleaned_data["recipient"].strip()
        if text.upper().startswith("I-") and text[2:].isdigit():
            found = Recipient.objects.exclude(kind=Recipient.Kind.RW).filter(
                pk=int(text[2:])).first()
        else:
            found = Recipient.objects.filter(kind=Recipient.Kind.RW, area_id=text).first()
        if found is None:
            raise forms.ValidationError(_("no recipient is known as %(value)s") % {
                "value": text})
        return found


class NeedsFileForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"),
                           help_text=_("columns: recipient, item, quantity, priority"))


class PovertyFileForm(forms.Form):
    item = forms.CharField(label=_("Aid item code"), max_length=40, initial="sembako")
    per_poor_household = forms.IntegerField(label=_("Units per poor household"), min_value=1,
                                            initial=1)
    file = forms.FileField(label=_("Poor households per RW (CSV or XLSX, optional)"),
                           required=False,
                           help_text=_("columns: rw_code, poor_households; leave empty to use "
                                       "the figures per RW already in the system"))
    health_file = forms.FileField(label=_("RWs listed by the health office (optional)"),
                                  required=False, help_text=_("column: rw_code"))
