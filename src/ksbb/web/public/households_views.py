"""The citizen's household check ("Cek bantuan") and the public household figures.

The check answers only for a NIK and a family card number given together, behind the
report form's anti-spam question and two rate limits kept in the shared cache: per client
address and per number (so one NIK cannot be tried from many addresses). The cache keys
hold hashes, never the numbers. The answer says whether the household is listed, in which
RW, and what it received when; nothing else (no name, RT or members).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from ksbb.households import identity
from ksbb.households.selectors import citizen_check, public_figures
from ksbb.reports.antispam import challenge_check, challenge_new
from ksbb.reports.models import Category
from ksbb.web.public.reports_views import client_ip

WINDOW_SECONDS = 3600


def _limits() -> tuple[int, int]:
    """Checks per hour per client address, and per NIK or KK number."""
    return (int(getattr(settings, "KSBB_CHECKS_PER_ADDRESS_HOUR", 20)),
            int(getattr(settings, "KSBB_CHECKS_PER_NUMBER_HOUR", 5)))


def _keys(ip: str, nik: str, kk: str) -> list[tuple[str, int]]:
    per_address, per_number = _limits()
    address = "ksbb:hhcheck:ip:" + hashlib.sha256((ip or "?").encode()).hexdigest()[:32]
    # Keyed hashes: the cache (Redis) never holds a number anyone could read back.
    return [(address, per_address),
            ("ksbb:hhcheck:nik:" + identity.keyed_hash("nik", nik)[:32], per_number),
            ("ksbb:hhcheck:kk:" + identity.keyed_hash("kk", kk)[:32], per_number)]


def _limited(keys: list[tuple[str, int]]) -> bool:
    return any(int(cache.get(key, 0)) >= limit for key, limit in keys)


def _count(keys: list[tuple[str, int]]) -> None:
    for key, _limit in keys:
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, WINDOW_SECONDS)


class CheckForm(forms.Form):
    nik = forms.CharField(label=gettext_lazy("NIK of the head of household"), max_length=24,
                          widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                        "autocomplete": "off"}))
    kk = forms.CharField(label=gettext_lazy("Family card number (KK)"), max_length=24,
                         widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                       "autocomplete": "off"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, label in (("nik", _("the NIK")), ("kk", _("the family card number"))):
            value = identity.normalise(data.get(name, ""))
            if name in data and (len(value) != 16 or not value.isdigit()):
                self.add_error(name, _("%(label)s has exactly 16 digits") % {"label": label})
            data[name] = value
        if not challenge_check(self.data.get("challenge_token", ""),
                               self.data.get("challenge_answer", "")):
            self.add_error(None, _("wrong or expired answer to the anti-spam question"))
        return data


def _render(request: HttpRequest, form: CheckForm, result: Any = None,
            status: int = 200) -> HttpResponse:
    return render(request, "public/household_check.html", {
        "form": form, "challenge": challenge_new(), "result": result,
        "category": Category.REGISTERED_NOTHING}, status=status)


@never_cache
def household_check(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, CheckForm())
    form = CheckForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    nik, kk = form.cleaned_data["nik"], form.cleaned_data["kk"]
    keys = _keys(client_ip(request), nik, kk)
    if _limited(keys):
        form.add_error(None, _("too many checks from your connection or for this number; "
                               "try again in an hour"))
        return _render(request, form, status=429)
    _count(keys)
    # The numbers are not shown back: the form starts empty again.
    return _render(request, CheckForm(), result=citizen_check(nik=nik, kk=kk))


def household_figures(request: HttpRequest) -> HttpResponse:
    within = request.GET.get("within", "").strip()
    if within and not all(part.isdigit() for part in within.split(".")):
        within = ""
    return render(request, "public/household_figures.html", {
        "rows": public_figures(within=within)[:3000], "within": within})
