"""The Content-Security-Policy in a real browser (issue 7): the public pages, the API docs
(Swagger UI) and the Django admin work under the policy without a single violation.

Violations are caught two ways, as a browser reports them: the `securitypolicyviolation`
event (recorded by a script Playwright adds to every page, outside the page's CSP) and the
console's "Content Security Policy" messages. A deliberate violation at the start proves
that the listeners hear one. Charts are hovered (ECharts' tooltips are HTML), the API docs
run a request, the language switcher is used (its script replaced an inline handler).

Headless Chromium from the system, driven by Playwright for Python.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ksbb.accounts.services import user_create
from ksbb.core.domain import SystemActor
from tests.conftest import PASSWORD
from tests.e2e.browser import DESKTOP
from tests.e2e.signin import sign_in
from tests.e2e.test_dashboard import _seed as seed_dashboard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = ["/", "/coverage/", "/coverage/?area=31.71", "/open-data/", "/ideas/",
                "/reports/new/", "/donations/register/", "/donations/aggregators/",
                "/about/data/", "/accounts/login/", "/admin/login/"]

_LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations = window.__cspViolations || [];
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile}:${e.lineNumber} ${e.sample || ""}`);
});
"""


class Watch:
    """What the browser said about the CSP, page by page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in (
                message.text):
            self.console.append(f"{self.page.url}: {message.text}")

    def events(self) -> list[str]:
        return [f"{self.page.url}: {v}" for v in
                self.page.evaluate("window.__cspViolations || []")]

    def visit(self, url: str) -> list[str]:
        """Open url, let its scripts run, and return the violations seen so far on it."""
        response = self.page.goto(url)
        assert response is not None and response.ok, url
        assert "content-security-policy" in response.headers, url
        self.page.wait_for_load_state("networkidle")
        return self.events()


def _hover_charts(page: Any, selector: str) -> None:
    for chart in page.locator(selector).all():
        box = chart.bounding_box()
        if box:
            for fx, fy in ((0.5, 0.3), (0.35, 0.5), (0.6, 0.6)):
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
                page.wait_for_timeout(150)


def test_no_csp_violation_on_public_pages_api_docs_and_admin(live_server, browser):
    seed_dashboard()
    user_create(username="root", password=PASSWORD, by=SystemActor("test"), is_superuser=True)
    base = live_server.url
    seen: list[str] = []

    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(_LISTEN)
    page = context.new_page()
    watch = Watch(page)

    # The listeners hear a violation: an inline style set through markup.
    response = page.goto(f"{base}/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.evaluate("""document.body.insertAdjacentHTML("beforeend",
        '<p id="csp-probe" style="color: red">probe</p>')""")
    page.wait_for_function("(window.__cspViolations || []).length > 0")
    assert any("style-src" in v for v in watch.events())
    assert watch.console, "the console did not report the deliberate violation"
    watch.console.clear()

    for path in PUBLIC_PAGES:
        seen += watch.visit(base + path)
        if path == "/":
            page.wait_for_function(
                """() => [...document.querySelectorAll('[data-chart]')].every(
                    el => window.echarts && echarts.getInstanceByDom(el)
                          && el.querySelector('svg, canvas'))""", timeout=15_000)
            _hover_charts(page, "[data-chart]")
            seen += watch.events()
        if path == "/coverage/":
            page.wait_for_function(
                """() => { const el = document.getElementById('coverage-map');
                    return window.echarts && echarts.getInstanceByDom(el)
                           && el.querySelector('canvas, svg'); }""", timeout=15_000)
            assert page.locator(".coverage-bar rect").count() == 2
            _hover_charts(page, "#coverage-map")
            seen += watch.events()

    # The language switcher submits from site.js (no inline handler).
    watch.visit(f"{base}/ideas/")
    page.select_option("#lang-select", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    seen += watch.events()

    # Swagger UI: its start-up script comes from ?script; run one request.
    seen += watch.visit(f"{base}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    areas = page.locator(".opblock-get:has([data-path='/api/v1/areas/'])").first
    areas.locator(".opblock-summary").click()
    page.click("button.try-out__btn")
    with page.expect_response(re.compile(r"/api/v1/areas/")) as answer:
        page.click("button.execute")
    assert answer.value.ok
    page.wait_for_selector(".live-responses-table")
    seen += watch.events()

    # The Django admin, signed in (with the two-factor step where it applies).
    sign_in(page, base, "root")
    seen += watch.events()
    for path in ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/",
                 "/admin/donations/pledge/"]:
        seen += watch.visit(base + path)
    page.click("#result_list tbody tr th a")  # a pledge's change form
    page.wait_for_load_state("networkidle")
    assert "/change/" in page.url
    seen += watch.events()

    assert not seen, "CSP violations:\n" + "\n".join(dict.fromkeys(seen))
    assert not watch.console, "CSP console messages:\n" + "\n".join(watch.console)
