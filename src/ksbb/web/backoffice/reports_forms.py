"""Forms of the back-office pages for misuse reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ksbb.accounts.models import User
from ksbb.reports.models import MisuseReport
from ksbb.reports.selectors import officers_for


class TriageForm(forms.Form):
    assigned_to: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none())
    priority = forms.ChoiceField(label=_("Priority"), choices=MisuseReport.Priority.choices,
                                 initial=MisuseReport.Priority.NORMAL)

    def __init__(self, *args: Any, report: MisuseReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officers_for(report)


class InvestigateForm(forms.Form):
    notes = forms.CharField(label=_("Investigation notes"), max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4}))


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MisuseReport.Outcome.choices)
    public_outcome = forms.CharField(
        label=_("Public outcome"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("shown on the public tracking page: name no private persons"))
