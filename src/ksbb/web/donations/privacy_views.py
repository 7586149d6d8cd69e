"""'My data' (Data saya): a signed-in person downloads what KSBB holds about them, and may
erase their account (UU PDP). Writes go through ksbb.privacy.services."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ksbb.privacy import services
from ksbb.web.errors import add_form_errors
from ksbb.web.files import file_response
from ksbb.web.permissions import PermissionRequiredMixin


class MyDataView(PermissionRequiredMixin, View):
    permission_required = "privacy.export_own_data"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "donations/my_data.html", {
            "data": services.my_data(request.user),  # type: ignore[arg-type]
            "can_erase": request.user.has_perm("privacy.erase_own_account"),
        })


class MyDataExportView(PermissionRequiredMixin, View):
    permission_required = "privacy.export_own_data"

    def get(self, request: HttpRequest) -> HttpResponse:
        data = services.my_data_export(user=request.user, by=request.user)  # type: ignore[arg-type]
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        stamp = timezone.localdate().isoformat()
        return file_response(body.encode(), content_type="application/json; charset=utf-8",
                             filename=f"ksbb-my-data-{stamp}.json",
                             cache_control="private, no-store")


class EraseForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"),
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))
    confirm = forms.BooleanField(label=gettext_lazy(
        "I understand that my account is closed and my personal data erased for good"))


class MyDataEraseView(PermissionRequiredMixin, View):
    permission_required = "privacy.erase_own_account"

    def _render(self, request: HttpRequest, form: EraseForm, status: int = 200
                ) -> HttpResponse:
        return render(request, "donations/my_data_erase.html", {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, EraseForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EraseForm(request.POST)
        if form.is_valid():
            try:
                services.account_erase(user=request.user,  # type: ignore[arg-type]
                                       password=form.cleaned_data["password"],
                                       by=request.user)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                logout(request)
                messages.success(request, _("Your account is closed and your personal data "
                                            "erased. Your donations stay, anonymous."))
                return redirect("web:home")
        return self._render(request, form, status=400)
