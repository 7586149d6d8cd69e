"""The offline verifier: ``/verify/scan/`` and its service worker ``/verify/scan/sw.js``.

The page reads a BAST's QR code (camera or photo) and checks the signed statement in the
browser against the keys of ``/.well-known/ksbb-keys.json``; the service worker keeps the
page, its scripts and the keys, so that once opened it works without a connection. The
worker is served from the page's own folder so that its scope covers the page.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_permissions_policy.decorators import permissions_policy_override

# Kept by the service worker: everything the page needs to run offline.
SCRIPTS = ["ksbb/vendor/jsqr/jsQR.js", "ksbb/js/verify_scan.js",
           "ksbb/vendor/noble-ed25519/index.js"]
ASSETS = ["ksbb/css/ksbb.css", "ksbb/vendor/htmx/htmx.min.js", "ksbb/js/site.js", *SCRIPTS]

# The page is the only one that may use the camera (to read QR codes).
_POLICY = {**settings.PERMISSIONS_POLICY, "camera": ["self"]}


@require_GET
@permissions_policy_override(_POLICY)
def scan_page(request: HttpRequest) -> HttpResponse:
    return render(request, "public/verify_scan.html", {
        "worker_url": reverse("web:verify_scan_worker"),
        "keys_url": reverse("ksbb-keys"),
        "noble_url": static("ksbb/vendor/noble-ed25519/index.js"),
    })


@require_GET
def scan_worker(request: HttpRequest) -> HttpResponse:
    urls = [reverse("web:verify_scan"), reverse("ksbb-keys"),
            *(static(path) for path in ASSETS)]
    # A new list of files (a release) is a new cache; the worker drops the old ones.
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    body = render_to_string("public/verify_scan_sw.js", {
        "config": json.dumps({"urls": urls, "version": version,
                              "page": reverse("web:verify_scan"),
                              "keys": reverse("ksbb-keys")})})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers look for a new worker on each visit; never serve a stale one from a cache.
    response["Cache-Control"] = "no-cache"
    return response
