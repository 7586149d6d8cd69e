"""Public verification of a handover report (BAST) by its code: ``/verify/<code>/``.

Shows what the signed BAST says (its frozen content), whether it is still valid or was
superseded by a correction, and its fingerprint. No personal data beyond the signatories'
names and roles."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ksbb.distribution.selectors import (
    fingerprint_of,
    handover_by_code,
    handover_parties,
    handover_successor,
)
from ksbb.stats.pagecache import public_cache


# Cached until the figures change: a correction signed (which supersedes this BAST) bumps
# the statistics generation, so the page says "superseded" at once.
@public_cache("verify")
def verify_handover(request: HttpRequest, code: str) -> HttpResponse:
    handover = handover_by_code(code)
    if handover is None or not handover.content:
        raise Http404
    content = handover.content
    parties = [{"role": p["role"], "name": p["name"], "confirmed_at": p["confirmed_at"]}
               for p in handover_parties(handover)]
    return render(request, "public/verify.html", {
        "handover": handover,
        "content": content,
        "parties": parties,
        "successor": handover_successor(handover),
        "intact": fingerprint_of(content) == handover.fingerprint,
    })
