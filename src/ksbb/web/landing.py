"""Where a user lands after signing in when no ``next`` says otherwise: their first
workspace, decided by the same permissions as the header's links
(ksbb.web.context_processors.navigation), not the public dashboard."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

# The first workspace the user may open wins: a person with several roles starts where the
# day's work usually is (the back office sees everything; a field role its own deliveries).
_LANDINGS = (
    ("web.access_backoffice", "backoffice:home"),      # platform admin, assessor
    ("donations.access_inbox", "donations:inbox"),     # aggregator staff: pledges to confirm
    ("web.access_field", "field:home"),                # executor, kelurahan officer
    ("distribution.access_deliveries", "field:deliveries"),  # ketua RW
    ("donations.access_my_pledges", "donations:mine"),  # collaborator
)


def landing_url(user: Any) -> str:
    if user is not None and user.is_authenticated:
        for perm, url_name in _LANDINGS:
            if user.has_perm(perm):
                return reverse(url_name)
    return reverse("web:home")
