"""Forms of the back-office allocation pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ksbb.donations.models import Pledge, Purchase
from ksbb.needs.models import AssessmentRound, Need, Recipient

_SUPPLY_RE = re.compile(r"^([PB])-?(\d+)$", re.IGNORECASE)


class LineForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0)


class ManualAllocationForm(forms.Form):
    supply = forms.CharField(label=_("Supply"), max_length=20,
                             help_text=_("a pledge such as P-12 or a purchase such as B-3"))
    recipient = forms.CharField(label=_("Recipient"), max_length=40,
                                help_text=_("RW code such as 31.71.01.1001.003, or "
                                            "institution id such as I-12"))
    item = forms.CharField(label=_("Aid item code"), max_length=40)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)

    def __init__(self, *args: Any, round: AssessmentRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.round = round

    def clean_supply(self) -> Pledge | Purchase:
        text = self.cleaned_data["supply"].strip()
        match = _SUPPLY_RE.match(text)
        found: Pledge | Purchase | None = None
        if match:
            model = Pledge if match.group(1).upper() == "P" else Purchase
            found = model.objects.filter(pk=int(match.group(2))).first()
        if found is None:
            raise forms.ValidationError(_("no pledge or purchase is known as %(value)s") % {
                "value": text})
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = str(data.get("recipient", "")).strip()
        item = str(data.get("item", "")).strip()
        if not text or not item:
            return data
        if text.upper().startswith("I-") and text[2:].isdigit():
            recipients = Recipient.objects.exclude(kind=Recipient.Kind.RW).filter(
                pk=int(text[2:]))
        else:
            recipients = Recipient.objects.filter(kind=Recipient.Kind.RW, area_id=text)
        need = Need.objects.filter(round=self.round, recipient__in=recipients,
                                   item__code=item).select_related(
                                       "recipient", "item", "round").first()
        if need is None:
            raise forms.ValidationError(_(
                "this round has no need of %(item)s for %(recipient)s") % {
                    "item": item, "recipient": text})
        data["need"] = need
        return data
