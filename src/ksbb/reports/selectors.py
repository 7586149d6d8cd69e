"""Reads for misuse reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import rules
from django.db.models import Q, QuerySet

from ksbb.accounts.models import Membership, Role, User
from ksbb.accounts.selectors import scope_of
from ksbb.core import areacodes
from ksbb.core.audit import actor_name
from ksbb.core.models import AuditEntry
from ksbb.core.privacy import mask_email, mask_name, mask_phone
from ksbb.regions.selectors import (
    actor_regions_filter,
    memberships_in_region_filter,
    region_key_of,
)
from ksbb.reports.models import MisuseReport

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L


def normalize_code(code: str) -> str:
    return (code or "").strip().upper()


def reports_visible_to(user: Any) -> QuerySet[MisuseReport]:
    """All reports for the government; a kelurahan officer's villages; nothing otherwise."""
    qs = MisuseReport.objects.select_related("area", "organization", "assigned_to")
    scope = scope_of(user)
    if scope.roles & {Role.PLATFORM_ADMIN, Role.ASSESSOR}:
        return qs.filter(actor_regions_filter(user, area="area__code"))
    villages = scope.village_codes
    if not villages:
        return qs.none()
    where = Q()
    for code in villages:
        where |= areacodes.within_q("area", code)
    return qs.filter(where)


def report_by_code(code: str) -> MisuseReport | None:
    return (MisuseReport.objects.select_related("area")
            .filter(code=normalize_code(code)).first())


@dataclass(frozen=True)
class HistoryStep:
    at: dt.datetime
    state: str
    state_label: str
    actor_label: str


def report_history(report: MisuseReport) -> list[HistoryStep]:
    """The report's states from the audit log, oldest first. Actor labels are for officers;
    the public page shows states and dates only."""
    steps = []
    for entry in AuditEntry.objects.filter(object_type=MisuseReport._meta.label_lower,
                                           object_id=str(report.pk)).select_related(
                                               "actor").order_by("seq"):
        state = (entry.after or {}).get("state", "")
        if state not in MisuseReport.State.values:
            continue
        label = str(MisuseReport.State(state).label)
        outcome = (entry.after or {}).get("outcome")
        if outcome in MisuseReport.Outcome.values:
            label = f"{label} ({MisuseReport.Outcome(outcome).label})"
        steps.append(HistoryStep(entry.at, state, label, actor_name(entry)))
    return steps


def officers_for(report: MisuseReport) -> QuerySet[User]:
    """Who a report can be assigned to: the assessors and platform administrators of the
    report's region, and the kelurahan officers of the report's village."""
    village = areacodes.village_of(report.area_id)
    members = Membership.objects.filter(is_active=True).filter(
        Q(role__in=[Role.ASSESSOR, Role.PLATFORM_ADMIN])
        & memberships_in_region_filter(region_key_of(report))
        | Q(role=Role.KELURAHAN_OFFICER, villages__code=village))
    return User.objects.filter(is_active=True, memberships__in=members).distinct().order_by(
        "username")


@dataclass(frozen=True)
class Reporter:
    name: str
    email: str
    phone: str
    masked: bool

    @property
    def shown_in_full(self) -> list[str]:
        """The fields shown unmasked, for the access audit."""
        if self.masked:
            return []
        return [f for f, v in zip(REPORTER_FIELDS, (self.name, self.email, self.phone),
                                  strict=True) if v]

    @property
    def anonymous(self) -> bool:
        return not (self.name or self.email or self.phone)


REPORTER_FIELDS = ("reporter_name", "reporter_email", "reporter_phone")


def reporter_for(report: MisuseReport, user: Any, *, listing: bool = False) -> Reporter:
    """The reporter's contact as ``user`` may see it: in full for the assigned officer on
    the report itself, masked in listings (the page that shows it in full audits that)."""
    # The rule itself, not user.has_perm: a superuser is not the assigned officer.
    if not listing and rules.has_perm("reports.view_reporter_contact", user, report):
        return Reporter(report.reporter_name, report.reporter_email, report.reporter_phone,
                        False)
    return Reporter(mask_name(report.reporter_name), mask_email(report.reporter_email),
                    mask_phone(report.reporter_phone), True)
