"""Public verification of a handover report (BAST) by its code: ``/verify/<code>/``, and
``/verify/`` to type a code by hand.

Answers a citizen holding a paper BAST at a glance: valid, superseded by a correction, or
not found, and what to do next. Then what the signed BAST says (its frozen content) and its
fingerprint. No personal data beyond the signatories' names and roles."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from ksbb.distribution.selectors import (
    fingerprint_of,
    handover_by_code,
    handover_parties,
    handover_successor,
)
from ksbb.distribution.services import CODE_ALPHABET, CODE_LENGTH
from ksbb.stats.pagecache import public_cache

# What the report form accepts as a BAST number.
_REPORTED_MAX = 60


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"), max_length=300,
        error_messages={"required": _("Type the verification code printed on the BAST.")},
        help_text=_("the 12 letters and digits printed after \"Kode verifikasi\" on the BAST"))

    def clean_code(self) -> str:
        text = self.cleaned_data["code"]
        # A link copied from the QR code works too: the code follows /verify/.
        found = re.search(r"/verify/([^/?#]+)", text)
        code = re.sub(r"[\s.-]", "", found.group(1) if found else text).upper()
        if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
            raise forms.ValidationError(_(
                "A verification code has 12 letters and digits (never 0, O, 1 or I), "
                "for example 7KQ2M9XR4HPD."))
        return code


def verify_form(request: HttpRequest) -> HttpResponse:
    """A GET form (no CSRF token, nothing personal): a valid code goes to its page."""
    if "code" not in request.GET:
        return render(request, "public/verify_form.html", {"form": VerifyCodeForm()})
    form = VerifyCodeForm(request.GET)
    if form.is_valid():
        return redirect("web:verify", code=form.cleaned_data["code"])
    return render(request, "public/verify_form.html", {"form": form}, status=400)


# Cached until the figures change: a correction signed (which supersedes this BAST) bumps
# the statistics generation, so the page says "superseded" at once. Only 200 answers are
# cached: an unknown code is looked up each time.
@public_cache("verify")
def verify_handover(request: HttpRequest, code: str) -> HttpResponse:
    handover = handover_by_code(code)
    if handover is None or not handover.content:
        # The site's page, in the visitor's language, with what to do: a forged BAST is
        # exactly what a citizen should report.
        return render(request, "public/verify.html", {
            "state": "not_found", "code": code[:_REPORTED_MAX],
            "form": VerifyCodeForm(initial={"code": code[:CODE_LENGTH * 2]}),
        }, status=404)
    content = handover.content
    parties = [{"role": p["role"], "name": p["name"], "confirmed_at": p["confirmed_at"]}
               for p in handover_parties(handover)]
    successor = handover_successor(handover)
    context: dict[str, Any] = {
        "state": "superseded" if successor else "valid",
        "code": handover.code,
        "handover": handover,
        "content": content,
        "parties": parties,
        "successor": successor,
        "intact": fingerprint_of(content) == handover.fingerprint,
    }
    return render(request, "public/verify.html", context)
