"""Sign-in, two-factor setup and verification, account security, lockout."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from ksbb.accounts import mfa
from ksbb.accounts.services import user_password_change
from ksbb.web.accounts.middleware import EXPIRED_FLAG, mark_signed_in, mfa_url
from ksbb.web.redirects import safe_next

_CODES_KEY = "ksbb_backup_codes"


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True, "spellcheck": "false"}))


def _next(request: HttpRequest) -> str:
    return safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))


class _SafeNextMixin:
    """Django's sign-in and sign-out follow ``next`` through the site's one check too."""

    request: HttpRequest

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        return safe_next(request or self.request)


class SignInView(_SafeNextMixin, auth_views.LoginView):
    """Django's sign-in (the session key is renewed), then the second factor if owed."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self.request.session.pop(EXPIRED_FLAG, False)
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        mark_signed_in(self.request)
        step = mfa.mfa_step(self.request.user)
        if step is not None:
            return redirect(mfa_url(step, self.get_success_url()))
        return response


def _verified(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    # A new key for the session that now holds the second factor too.
    request.session.cycle_key()


@never_cache
@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next(request)
    if mfa.mfa_enrolled(user):
        # Replacing an authenticator goes through the two-factor page, once verified.
        if user.is_verified():  # type: ignore[union-attr]
            return redirect("two_factor")
        return redirect(mfa_url("verify", next_url))
    device = mfa.mfa_setup_begin(user=user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.mfa_device_confirm(device=device, token=form.cleaned_data["otp_token"],
                                           by=user)
        except mfa.MFAError as exc:
            form.add_error("otp_token", str(exc))
        else:
            device.refresh_from_db()
            _verified(request, device)
            request.session[_CODES_KEY] = codes
            return HttpResponseRedirect(
                f"{reverse('mfa_backup_codes')}?{urlencode({'next': next_url})}")
    qr = segno.make(device.config_url, error="m")
    return render(request, "registration/mfa_setup.html", {
        "form": form, "next": next_url, "secret": mfa.totp_secret(device),
        "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
        "required": mfa.mfa_required(user),
    })


@never_cache
@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next(request)
    if user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(next_url)
    if not mfa.mfa_enrolled(user):
        return redirect(mfa_url("setup", next_url))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.mfa_verify(user=user, token=form.cleaned_data["otp_token"])  # type: ignore[arg-type]
        except mfa.MFAError as exc:
            form.add_error("otp_token", str(exc))
        else:
            _verified(request, device)
            return HttpResponseRedirect(next_url)
    return render(request, "registration/mfa_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def mfa_backup_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop(_CODES_KEY, None)
    if not codes:
        return redirect("two_factor")
    return render(request, "registration/mfa_backup_codes.html",
                  {"codes": codes, "next": _next(request)})


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "registration/two_factor.html", {
        "enrolled": mfa.mfa_enrolled(user),
        "required": mfa.mfa_required(user),
        "codes_left": mfa.mfa_backup_codes_left(user),
    })


@require_POST
@login_required
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    if not mfa.mfa_enrolled(request.user):
        return redirect("two_factor")
    request.session[_CODES_KEY] = mfa.mfa_backup_codes_regenerate(
        user=request.user, by=request.user)  # type: ignore[arg-type]
    return HttpResponseRedirect(
        f"{reverse('mfa_backup_codes')}?{urlencode({'next': reverse('two_factor')})}")


@require_POST
@login_required
def two_factor_off(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off (optional users) or start again with a new authenticator."""
    user = request.user
    mfa.mfa_reset(user=user, by=user)  # type: ignore[arg-type]
    if mfa.mfa_required(user):
        return redirect(mfa_url("setup", reverse("two_factor")))
    messages.success(request, _("Two-factor sign-in is turned off."))
    return redirect("two_factor")


class SignOutView(_SafeNextMixin, auth_views.LogoutView):
    """Django's sign-out (POST only)."""


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's form (old password, validators); the change ends the other sessions."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("two_factor")

    def form_valid(self, form: Any) -> HttpResponse:
        user = self.request.user
        user_password_change(user=user, password=form.cleaned_data["new_password1"],  # type: ignore[arg-type]
                             by=user, keep_session_key=self.request.session.session_key)
        update_session_auth_hash(self.request, user)  # type: ignore[arg-type]
        messages.success(self.request, _(
            "Your password is changed. You are signed out everywhere else."))
        return HttpResponseRedirect(str(self.success_url))


def locked_out(request: HttpRequest, original_response: Any = None,
               credentials: Any = None) -> HttpResponse:
    """django-axes' lockout page: the same for every account name, existing or not."""
    return render(request, "registration/lockout.html", {
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }, status=429)
