"""Accessibility of every public page, checked by axe-core in a real browser (issue #8).

Each public page is opened in headless Chromium at desktop and phone width, in Indonesian
and in English, with some content on it (a signed BAST, an idea, a misuse report). axe-core
(vendored in tests/e2e/vendor/axe-core/, MPL-2.0) runs the WCAG 2.0/2.1 A and AA rules and
its best practices; any violation of impact "serious" or "critical" fails the test. The
full results, every impact, go to test-artifacts/a11y/results.json (not committed) and a
summary is printed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from ksbb.areas.models import Area
from ksbb.distribution.models import Handover
from ksbb.distribution.services import (
    delivery_deliver,
    delivery_dispatch,
    delivery_schedule,
)
from ksbb.forum.services import citizen_register, idea_post
from ksbb.reports.services import report_submit
from ksbb.stats.selectors import stats_invalidate
from tests.conftest import PASSWORD
from tests.distribution.conftest import draft_for, make_allocation, sign_all
from tests.donations.conftest import setup_donations
from tests.e2e.browser import OVERFLOW, WIDTHS, artifacts

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
LANGUAGES = ["id", "en"]
FAILING = {"serious", "critical"}
AXE_RUN = """() => axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                    'best-practice']},
    resultTypes: ['violations'],
})"""
GUIDE_ROLES = ["collaborator", "aggregator", "assessor", "executor", "kelurahan", "ketua-rw",
               "citizen", "journalist", "auditor", "admin"]


def _content(cast: Any) -> dict[str, str]:
    """A signed BAST, an idea and a misuse report, made through the services."""
    don = setup_donations(cast)
    allocation = make_allocation(cast, don, quantity=40)
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.assessor)
    delivery_dispatch(delivery=delivery, by=cast.executor)
    delivery_deliver(delivery=delivery, by=cast.executor)
    handover = sign_all(cast, draft_for(delivery, cast.executor))
    assert handover.state == Handover.State.SIGNED
    citizen = citizen_register(name="warga", email="warga@example.org",
                               password=PASSWORD)
    idea = idea_post(title="Urban farming di RPTRA", body="Kebun sayur di setiap RPTRA.",
                     program=None, by=citizen)
    report = report_submit(category="aid_sold",
                           area=Area.objects.get(code="31.71.01.1001.001"),
                           description="Paket sembako dijual di pasar", by=None)
    stats_invalidate()
    return {"bast": handover.code, "idea": str(idea.pk), "report": report.code}


def _pages(ids: dict[str, str]) -> list[str]:
    return [
        "/", "/coverage/", "/open-data/", "/about/data/", "/ideas/", f"/ideas/{ids['idea']}/",
        "/reports/new/", "/reports/track/", f"/reports/track/{ids['report']}/",
        f"/verify/{ids['bast']}/", "/verify/scan/", "/signup/", "/accounts/login/",
        "/donations/register/",
        "/donations/aggregators/", "/guide/",
        *[f"/guide/{role}/" for role in GUIDE_ROLES],
    ]


def _summary_line(node: dict[str, Any]) -> str:
    return f"      {node.get('target')}: {node.get('failureSummary', '').splitlines()[-1:]}"


def test_public_pages_have_no_serious_accessibility_violations(  # type: ignore[no-untyped-def]
        live_server, cast, settings, browser):
    settings.KSBB_PUBLIC_URL = live_server.url
    cache.clear()
    ids = _content(cast)
    base = live_server.url
    results: list[dict[str, Any]] = []
    overflowing: list[str] = []

    for lang in LANGUAGES:
        for width, viewport in WIDTHS.items():
            # The site's Content-Security-Policy forbids injected scripts, axe's too.
            context = browser.new_context(viewport=viewport, bypass_csp=True)
            context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
            page = context.new_page()
            for path in _pages(ids):
                response = page.goto(f"{base}{path}")
                assert response is not None and response.ok, (path, lang, width)
                page.wait_for_load_state("networkidle")
                page.add_script_tag(path=str(AXE))
                found = page.evaluate(AXE_RUN)
                results.append({"path": path, "lang": lang, "width": width,
                                "violations": found["violations"]})
                if width == "phone":
                    # No sideways scrolling down to 360 px (issue 15).
                    page.set_viewport_size({"width": 360, "height": viewport["height"]})
                    page.wait_for_timeout(150)  # charts and site.js follow a resize
                    wide = page.evaluate(OVERFLOW)
                    if wide:
                        overflowing.append(f"{path} [{lang}, 360 px] scrolls sideways: {wide}")
                    page.set_viewport_size(viewport)
            context.close()

    (artifacts("a11y") / "results.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False))
    by_impact: Counter[str] = Counter()
    failing: list[str] = []
    for r in results:
        for v in r["violations"]:
            by_impact[v["impact"] or "none"] += len(v["nodes"])
            line = f"{r['path']} [{r['lang']}, {r['width']}] {v['impact']}: {v['id']} " \
                   f"({len(v['nodes'])}) {v['help']}"
            print(line)
            if v["impact"] in FAILING:
                failing.append(line)
                for node in v["nodes"][:3]:
                    print(_summary_line(node))
    print(f"axe-core: {len(results)} page views "
          f"({len(results) // (len(LANGUAGES) * len(WIDTHS))} pages x {len(WIDTHS)} widths x "
          f"{len(LANGUAGES)} languages); violating nodes by impact: {dict(by_impact)}")
    assert not failing, "serious or critical accessibility violations:\n" + "\n".join(failing)
    assert not overflowing, "\n".join(overflowing)
