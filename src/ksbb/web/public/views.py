from __future__ import annotations

from importlib import resources

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ksbb.areas.models import Area
from ksbb.core.audit import audit_head
from ksbb.needs.models import Recipient
from ksbb.regions.selectors import default_region
from ksbb.stats.boundaries import ATTRIBUTION
from ksbb.stats.pagecache import public_cache
from ksbb.web.public.region_views import region_page_context, several_regions


@public_cache("home")
def home(request: HttpRequest) -> HttpResponse:
    """The public dashboard (figures: ksbb.stats.selectors.dashboard, as the stats API): the
    default region's, once the installation serves several regions (ksbb.regions)."""
    counts = {
        "provinces": Area.objects.filter(level=Area.Level.PROVINCE).count(),
        "villages": Area.objects.filter(level=Area.Level.VILLAGE).count(),
        "rws": Area.objects.filter(level=Area.Level.RW).count(),
        "recipients": Recipient.objects.count(),
    }
    context = region_page_context(request, default_region() if several_regions() else None)
    context.update({"counts": counts, "audit_head": audit_head()})
    return render(request, "public/home.html", context)


def about_data(request: HttpRequest) -> HttpResponse:
    return render(request, "public/about_data.html", {"attribution": ATTRIBUTION})


def cc_by_igo(request: HttpRequest) -> HttpResponse:
    text = (resources.files("ksbb.areas") / "data" / "boundaries"
            / "LICENSE-CC-BY-IGO-3.0.txt").read_text(encoding="utf-8")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def odbl(request: HttpRequest) -> HttpResponse:
    text = (resources.files("ksbb.areas") / "data" / "wilayah" / "LICENSE-ODbL.md").read_text(
        encoding="utf-8")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def ping(request: HttpRequest) -> HttpResponse:
    """No database, no template: the yardstick for load tests (bench/load.py), the cost of
    Django's request cycle alone. /healthz is the check that includes the database."""
    return HttpResponse("pong", content_type="text/plain")
