"""Forms of the back-office allocation pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ksbb.allocation.selectors import supplies_left
from ksbb.donations.models import Item, Pledge, Purchase
from ksbb.needs.models import AssessmentRound, Need
from ksbb.regions.selectors import region_key_of
from ksbb.web.backoffice.needs_forms import CodeChoiceField
from ksbb.web.pickers import RecipientField, recipients_of_region

_SUPPLY_RE = re.compile(r"^([PB])-?(\d+)$", re.IGNORECASE)


class LineForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0)


def supply_choice_label(supply: Pledge | Purchase, left: int) -> str:
    """A supply by who gave or bought what, with what is left of it."""
    item = supply.item.name if supply.item else ""
    if isinstance(supply, Pledge):
        return gettext("%(item)s from %(who)s, %(left)s left (pledge %(id)s)") % {
            "item": item, "who": supply.collaborator.name, "left": left, "id": supply.pk}
    return gettext("%(item)s bought by %(who)s, %(left)s left (purchase %(id)s)") % {
        "item": item, "who": supply.aggregator.name, "left": left, "id": supply.pk}


class ManualAllocationForm(forms.Form):
    # A list of what is left to allocate; the ids used so far (P-12, B-3) still work when
    # typed by a script.
    supply = forms.CharField(label=_("Supply"), max_length=20)
    recipient = RecipientField(label=_("Recipient"),
                               help_text=_("the RW (e.g. Gambir RW 3) or the institution's "
                                           "name; pick it from the list"))
    item = CodeChoiceField(label=_("Aid item"), to_field_name="code",
                           queryset=Item.objects.filter(is_active=True))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)

    def __init__(self, *args: Any, round: AssessmentRound, **kwargs: Any) -> None:
        # The round's page also shows the need form, with fields of the same names: ids of
        # its own, so that labels and the pickers' suggestion boxes find their field.
        kwargs.setdefault("auto_id", "alloc_%s")
        super().__init__(*args, **kwargs)
        self.round = round
        choices = [("", gettext("choose a pledge or a purchase"))]
        if not self.is_bound:
            choices += [(f"{'P' if isinstance(s, Pledge) else 'B'}-{s.pk}",
                         supply_choice_label(s, left))
                        for s, left in supplies_left(round.program_id,
                                                     region_key=region_key_of(round))]
        self.fields["supply"].widget = forms.Select(choices=choices)
        item_field = self.fields["item"]
        assert isinstance(item_field, forms.ModelChoiceField)
        item_field.queryset = Item.objects.filter(program_id=round.program_id)
        recipient_field = self.fields["recipient"]
        assert isinstance(recipient_field, RecipientField)
        recipient_field.queryset = recipients_of_region(region_key_of(round))

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
        recipient, item = data.get("recipient"), data.get("item")
        if recipient is None or item is None:
            return data
        need = Need.objects.filter(round=self.round, recipient=recipient,
                                   item=item).select_related(
                                       "recipient", "item", "round").first()
        if need is None:
            raise forms.ValidationError(_(
                "this round has no need of %(item)s for %(recipient)s") % {
                    "item": item.name, "recipient": recipient.name})
        data["need"] = need
        return data
