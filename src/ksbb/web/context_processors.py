from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Links to the workspaces the signed-in user may open, for the header."""
    user = request.user
    links = []
    if user.is_authenticated:
        if user.has_perm("web.access_backoffice"):
            links.append((reverse("backoffice:home"), _("Back office")))
        if user.has_perm("web.access_organizations"):
            links.append((reverse("orgs:list"), _("My organisations")))
        if user.has_perm("web.access_field"):
            links.append((reverse("field:home"), _("Field")))
        if user.has_perm("web.access_recipients"):
            links.append((reverse("field:recipients"), _("My recipients")))
    return {"nav_links": links}
