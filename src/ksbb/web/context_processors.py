from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ksbb.core.domain import may


def _workspaces(request: HttpRequest) -> list[dict[str, Any]]:
    """The signed-in user's links, grouped by workspace (issue 15: the platform admin had
    19 links in a row). A group is shown only when it holds a link; a group of one link is
    shown as that link."""
    user = request.user
    office: list[tuple[str, Any]] = []
    field: list[tuple[str, Any]] = []
    donations: list[tuple[str, Any]] = []
    # A user who still owes the second factor (ksbb.web.accounts.middleware) sees no workspaces.
    if not getattr(request, "mfa_pending", False):
        if user.has_perm("web.access_backoffice"):
            office.append((reverse("backoffice:home"), _("Overview")))
        if user.has_perm("distribution.schedule_delivery"):
            office.append((reverse("backoffice:schedule"), _("Schedule deliveries")))
        if user.has_perm("reports.access_reports"):
            office.append((reverse("backoffice:reports"), _("Misuse reports")))
        if user.has_perm("donations.verify_aggregator"):
            office.append((reverse("donations:verification"), _("Aggregators to verify")))
        # Households (issue 16): may(), so that names stay with the three roles.
        if may(user, "households.view_reports"):
            office.append((reverse("backoffice:households"), _("Household lists")))
        elif may(user, "households.access_lists"):
            field.append((reverse("field:household_rws"), _("Household lists")))
        if user.has_perm("web.access_field"):
            field.insert(0, (reverse("field:home"), _("Field work")))
        if user.has_perm("web.access_recipients"):
            field.append((reverse("field:recipients"), _("My recipients")))
        if user.has_perm("distribution.access_deliveries"):
            field.append((reverse("field:deliveries"), _("Deliveries")))
        if user.has_perm("donations.access_my_pledges"):
            donations.append((reverse("donations:mine"), _("My donations")))
        if user.has_perm("donations.add_pledge"):
            donations.append((reverse("donations:pledge_new"), _("Pledge aid")))
        if user.has_perm("donations.access_inbox"):
            donations.append((reverse("donations:inbox"), _("Pledges to confirm")))
        if user.has_perm("donations.access_purchases"):
            donations.append((reverse("donations:purchases"), _("Purchases")))
        if user.has_perm("donations.access_import"):
            donations.append((reverse("donations:import"), _("Import pledges")))
        if user.has_perm("web.access_organizations"):
            donations.append((reverse("orgs:list"), _("My organisations")))
    groups = [
        {"key": "office", "label": _("Back office"), "links": office},
        {"key": "field", "label": _("Field"), "links": field},
        {"key": "donations", "label": _("Donations"), "links": donations},
        {"key": "public", "label": _("Public"), "links": _public_links(request)},
    ]
    return [g for g in groups if g["links"]]


def _public_links(request: HttpRequest) -> list[tuple[str, Any]]:
    links = []
    if not request.user.is_authenticated:
        links.append((reverse("donations:register"), _("Become a donor")))
    links += [
        (reverse("donations:aggregators"), _("Humanitarian organisations")),
        (reverse("web:household_check"), _("Check your aid")),
        (reverse("web:report_new"), _("Report a problem")),
        (reverse("web:ideas"), _("Ideas")),
        (reverse("web:opendata"), _("Open data")),
    ]
    return links


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header's links: the public ones in a row for visitors; for a signed-in user a
    menu per workspace (ksbb/_nav_links.html). ``nav_links`` lists every link once, in
    order, for whoever needs them flat."""
    if request.user.is_authenticated:
        groups = _workspaces(request)
    else:
        groups = [{"key": "public", "label": _("Public"), "links": _public_links(request)}]
    return {"nav_groups": groups,
            "nav_links": [link for group in groups for link in group["links"]]}
