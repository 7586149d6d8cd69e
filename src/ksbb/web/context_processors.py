from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ksbb.core.domain import may


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Links to the workspaces the signed-in user may open, for the header."""
    user = request.user
    links = []
    # A user who still owes the second factor (ksbb.web.accounts.middleware) sees no workspaces.
    if user.is_authenticated and not getattr(request, "mfa_pending", False):
        if user.has_perm("web.access_backoffice"):
            links.append((reverse("backoffice:home"), _("Back office")))
        if user.has_perm("web.access_organizations"):
            links.append((reverse("orgs:list"), _("My organisations")))
        if user.has_perm("web.access_field"):
            links.append((reverse("field:home"), _("Field")))
        if user.has_perm("web.access_recipients"):
            links.append((reverse("field:recipients"), _("My recipients")))
        # Households (issue 16): may(), so that names stay with the three roles.
        if may(user, "households.view_reports"):
            links.append((reverse("backoffice:households"), _("Household lists")))
        elif may(user, "households.access_lists"):
            links.append((reverse("field:household_rws"), _("Household lists")))
        if user.has_perm("distribution.access_deliveries"):
            links.append((reverse("field:deliveries"), _("Deliveries")))
        if user.has_perm("distribution.schedule_delivery"):
            links.append((reverse("backoffice:schedule"), _("Schedule deliveries")))
        if user.has_perm("reports.access_reports"):
            links.append((reverse("backoffice:reports"), _("Misuse reports")))
        if user.has_perm("donations.access_my_pledges"):
            links.append((reverse("donations:mine"), _("My donations")))
        if user.has_perm("donations.add_pledge"):
            links.append((reverse("donations:pledge_new"), _("Pledge aid")))
        if user.has_perm("donations.access_inbox"):
            links.append((reverse("donations:inbox"), _("Pledges to confirm")))
        if user.has_perm("donations.access_purchases"):
            links.append((reverse("donations:purchases"), _("Purchases")))
        if user.has_perm("donations.access_import"):
            links.append((reverse("donations:import"), _("Import pledges")))
        if user.has_perm("donations.verify_aggregator"):
            links.append((reverse("donations:verification"), _("Aggregators to verify")))
    elif not user.is_authenticated:
        links.append((reverse("donations:register"), _("Become a donor")))
    links.append((reverse("donations:aggregators"), _("Humanitarian organisations")))
    links.append((reverse("web:household_check"), _("Check your aid")))
    links.append((reverse("web:report_new"), _("Report a problem")))
    links.append((reverse("web:ideas"), _("Ideas")))
    links.append((reverse("web:opendata"), _("Open data")))
    return {"nav_links": links}
