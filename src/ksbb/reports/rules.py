"""Who may see and handle misuse reports (see accounts/rules.py).

Anyone may submit a report and follow it by its code; those are not permissions."""

from __future__ import annotations

from typing import Any

import rules

from ksbb.accounts.rules import is_government, is_kelurahan_officer
from ksbb.accounts.selectors import area_in_officer_scope


@rules.predicate
def is_officer_for_report_area(user: Any, report: Any) -> bool:
    return report is not None and area_in_officer_scope(user, report.area_id)


@rules.predicate
def is_assigned_to_report(user: Any, report: Any) -> bool:
    return (report is not None and getattr(user, "is_authenticated", False)
            and report.assigned_to_id == user.pk)


may_view = is_government | is_officer_for_report_area

# Pages and the API list.
rules.add_perm("reports.access_reports", is_government | is_kelurahan_officer)
# Records.
rules.add_perm("reports.view_report", may_view)
rules.add_perm("reports.triage_report", is_government)
rules.add_perm("reports.investigate_report", is_government | (is_assigned_to_report & may_view))
rules.add_perm("reports.resolve_report", is_government | (is_assigned_to_report & may_view))
# The reporter's name, e-mail and phone in full: only the officer the report is assigned to.
rules.add_perm("reports.view_reporter_contact", is_assigned_to_report & may_view)
