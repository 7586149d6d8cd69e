"""Sign-in, two-factor setup and verification, account security, lockout."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
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
from ksbb.accounts.services import user_confirm_email, user_password_change, user_password_reset
from ksbb.core.audit import audit_log
from ksbb.core.ratelimit import take
from ksbb.web.accounts import lockout
from ksbb.web.accounts.middleware import EXPIRED_FLAG, mark_signed_in, mfa_url
from ksbb.web.landing import landing_url
from ksbb.web.limits import over_limit
from ksbb.web.redirects import safe_next

_CODES_KEY = "ksbb_backup_codes"


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True, "spellcheck": "false"}))


def _next(request: HttpRequest) -> str:
    return safe_next(request, landing_url(request.user))


class _SafeNextMixin:
    """Django's sign-in and sign-out follow ``next`` through the site's one check too."""

    request: HttpRequest

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        return safe_next(request or self.request)


class SignInView(_SafeNextMixin, auth_views.LoginView):
    """Django's sign-in (the session key is renewed), then the second factor if owed."""

    def get_default_redirect_url(self) -> str:
        # Called once the user is signed in: without a safe ``next``, their own work.
        return landing_url(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self.request.session.pop(EXPIRED_FLAG, False)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if lockout.locked(request, request.POST.get("username", "")):
            return locked_out(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = self._signed_in(form)
        lockout.remember_device(self.request, response, form.get_user().get_username())
        return response

    def _signed_in(self, form: Any) -> HttpResponse:
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


class ReauthForm(forms.Form):
    """The password and a current code: what a stolen, still signed-in session lacks."""

    password = forms.CharField(label=gettext_lazy("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))
    otp_token = forms.CharField(
        label=gettext_lazy("Current code from your authenticator app (or a backup code)"),
        max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "password" in data and not self.user.check_password(data["password"]):
            self.add_error("password", _("The password is not correct."))
        elif "otp_token" in data:
            try:
                mfa.mfa_verify(user=self.user, token=data["otp_token"])
            except mfa.MFAError as exc:
                self.add_error("otp_token", str(exc))
        return data


def _two_factor_page(request: HttpRequest, form: ReauthForm | None = None,
                     status: int = 200) -> HttpResponse:
    user = request.user
    return render(request, "registration/two_factor.html", {
        "enrolled": mfa.mfa_enrolled(user),
        "required": mfa.mfa_required(user),
        "codes_left": mfa.mfa_backup_codes_left(user),
        "form": form or ReauthForm(user=user),
    }, status=status)


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    return _two_factor_page(request)


def _security_notice(user: Any, what: str) -> None:
    """Tell the person by e-mail: if it was not them, they learn that someone holds their
    password and a code."""
    from django.core.mail import send_mail

    if not user.email:
        return
    send_mail(subject=_("KSBB: your two-factor sign-in was changed"),
              message=_("%(what)s If this was not you, change your password now and tell "
                        "the platform administrator.") % {"what": what},
              from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[user.email],
              fail_silently=True)


@require_POST
@login_required
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not mfa.mfa_enrolled(user):
        return redirect("two_factor")
    form = ReauthForm(request.POST, user=user)
    if not form.is_valid():
        return _two_factor_page(request, form, status=400)
    request.session[_CODES_KEY] = mfa.mfa_backup_codes_regenerate(
        user=user, by=user)  # type: ignore[arg-type]
    _security_notice(user, _("New backup codes were made for your KSBB account; the old "
                             "ones no longer work."))
    return HttpResponseRedirect(
        f"{reverse('mfa_backup_codes')}?{urlencode({'next': reverse('two_factor')})}")


@require_POST
@login_required
def two_factor_off(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off (optional users) or start again with a new authenticator; both
    need the password and a current code, so a session left open is not enough."""
    user = request.user
    if not mfa.mfa_enrolled(user):
        return redirect("two_factor")
    form = ReauthForm(request.POST, user=user)
    if not form.is_valid():
        return _two_factor_page(request, form, status=400)
    mfa.mfa_reset(user=user, by=user)  # type: ignore[arg-type]
    _security_notice(user, _("Two-factor sign-in was turned off for your KSBB account (or "
                             "its authenticator app is being replaced)."))
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


def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent at sign-up: the account is confirmed (votes in the forum count)."""
    from django.core.exceptions import ValidationError

    try:
        user_confirm_email(token=token)
    except ValidationError:
        return render(request, "donations/verify_email.html", {"ok": False}, status=400)
    return render(request, "donations/verify_email.html", {"ok": True})


# Password reset by e-mail: Django's views and tokens (single use: the token is bound to the
# password hash and the last sign-in), with our limits, audit and absolute links.

class PasswordResetForm(auth_forms.PasswordResetForm):
    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        from urllib.parse import urlsplit

        email = self.cleaned_data["email"]
        # Per address asked about too: a stranger must not fill someone's mailbox from many
        # networks. Over the limit, nothing is sent, and the page says the same as ever.
        if not take("password-reset-email", email.lower(),
                    settings.KSBB_PASSWORD_RESET_RATE).allowed:
            return
        public = urlsplit(settings.KSBB_PUBLIC_URL)
        kwargs.update(domain_override=public.netloc, use_https=public.scheme == "https",
                      extra_email_context={"public_url": settings.KSBB_PUBLIC_URL.rstrip("/")})
        for user in self.get_users(email):
            audit_log(actor=user, action="user.password_reset_requested", obj=user, after={})
        super().save(**kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/reset_form.html"
    email_template_name = "registration/reset_email.txt"
    subject_template_name = "registration/reset_subject.txt"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = over_limit(request, "password-reset", settings.KSBB_PASSWORD_RESET_RATE)
        if refused is not None:
            return refused
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN

        # Through the service: sessions and API tokens end, audited, lockout lifted.
        user_password_reset(user=form.user, password=form.cleaned_data["new_password1"])
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(str(self.success_url))
