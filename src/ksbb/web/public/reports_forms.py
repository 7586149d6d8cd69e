"""The public misuse-report form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ksbb.accounts.models import Organization
from ksbb.needs.models import AssessmentRound
from ksbb.reports.antispam import challenge_check
from ksbb.reports.models import Category
from ksbb.reports.photos import MAX_PHOTOS
from ksbb.web.pickers import VILLAGE_OR_RW, AreaField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to MAX_PHOTOS files; their content is checked by the service (Pillow)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("at most %(n)d photos") % {"n": MAX_PHOTOS})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("What happened?"), choices=Category.choices)
    area = AreaField(label=_("Village or RW"), levels=VILLAGE_OR_RW,
                     help_text=_("type the name of the village (kelurahan) and pick it, "
                                 "e.g. Gambir or Gambir RW 3; a Kemendagri code works too"))
    organization = forms.ModelChoiceField(
        label=_("Organisation concerned"), required=False,
        empty_label=_("not known, or none"),
        queryset=Organization.objects.filter(
            is_active=True, kind__in=[Organization.Kind.AGGREGATOR,
                                      Organization.Kind.EXECUTOR]).order_by("name"))
    bast_number = forms.CharField(label=_("Handover report (BAST) number"), max_length=60,
                                  required=False)
    description = forms.CharField(label=_("Description"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    photos = MultipleFileField(label=_("Photos"), required=False,
                               help_text=_("up to 3 photos, JPEG, PNG or WebP, 5 MB each"))
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=200,
                                    required=False)
    reporter_email = forms.EmailField(
        label=_("Your e-mail (optional)"), required=False,
        help_text=_("to receive the tracking code and the outcome"))
    reporter_phone = forms.CharField(label=_("Your phone (optional)"), max_length=40,
                                     required=False)
    pledge = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # From the household check's "registered but received nothing" button.
    round = forms.ModelChoiceField(queryset=AssessmentRound.objects.all(), required=False,
                                   widget=forms.HiddenInput)
    # A field people do not see; bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, need_challenge: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The question itself is drawn by the view on each display (see challenge_new) and
        # sent back as challenge_token / challenge_answer.
        self.need_challenge = need_challenge

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            self.add_error(None, _("this submission looks automated"))
        if self.need_challenge and not challenge_check(
                self.data.get("challenge_token", ""), self.data.get("challenge_answer", "")):
            self.add_error(None, _("wrong or expired answer to the anti-spam question"))
        return data
