from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ksbb.notifications.models import Kind


class PreferencesForm(forms.Form):
    """One box per kind: ticked, the person gets its e-mail (the inbox shows it anyway)."""

    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, email_off: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        off = set(email_off or [])
        for kind in Kind:
            self.fields[f"email_{kind.value}"] = forms.BooleanField(
                label=kind.label, required=False, initial=kind.value not in off)

    def email_fields(self) -> list[forms.BoundField]:
        return [self[f"email_{kind.value}"] for kind in Kind]

    def email_off(self) -> list[str]:
        return [kind.value for kind in Kind if not self.cleaned_data.get(f"email_{kind.value}")]
