"""Writes for misuse reports. Every service takes keyword arguments, runs in one
transaction, checks the actor and the state, and writes one audit entry; a refusal raises
one of ksbb.core.domain's (NotAllowed, WrongState, Invalid) and changes nothing.

The audit entries carry states, never the reporter's personal data: the audit log is
append-only, so what enters it can never be erased.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.accounts.models import Organization, User
from ksbb.areas.models import Area
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, WrongState, may
from ksbb.donations.models import Pledge
from ksbb.donations.rules import is_collaborator_of_pledge
from ksbb.notifications import events as notifications
from ksbb.reports.models import Category, MisuseReport, ReportPhoto
from ksbb.reports.photos import MAX_PHOTOS, CleanPhoto, PhotoRejected, clean_photo
from ksbb.reports.selectors import CODE_ALPHABET, officers_for
from ksbb.reports.workdays import add_working_days

DUE_WORKING_DAYS = 7
REPORTABLE_ORGANIZATION_KINDS = (Organization.Kind.AGGREGATOR, Organization.Kind.EXECUTOR)


def new_tracking_code() -> str:
    """KSBB-XXXXX-XXXXX: ten symbols from 31 unambiguous ones, about 49 bits."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"KSBB-{chars[:5]}-{chars[5:]}"


def _track_path(report: MisuseReport) -> str:
    return reverse("web:report_track", args=[report.code])


def _mail(to: str, subject: str, body: str) -> None:
    send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL,
              recipient_list=[to])


def send_receipt_email(report: MisuseReport, base_url: str = "") -> None:
    _mail(report.reporter_email, _("KSBB: your report %(code)s is received") % {
        "code": report.code},
        _("Thank you. Your report is received. Your tracking code is %(code)s; follow the "
          "report at %(link)s . Officers will handle it by %(due)s.") % {
            "code": report.code, "link": base_url + _track_path(report),
            "due": report.due_date.isoformat()})


def send_resolution_email(report: MisuseReport, base_url: str = "") -> None:
    _mail(report.reporter_email, _("KSBB: your report %(code)s is resolved") % {
        "code": report.code},
        _("Your report %(code)s is resolved (%(outcome)s).\n\n%(text)s\n\nDetails: %(link)s")
        % {"code": report.code, "outcome": report.get_outcome_display(),
           "text": report.public_outcome, "link": base_url + _track_path(report)})


def report_submit(
    *, category: str, area: Area | None, description: str, by: Actor | None = None,
    bast_number: str = "", organization: Organization | None = None,
    pledge: Pledge | None = None, photos: Sequence[Any] = (), reporter_name: str = "",
    reporter_email: str = "", reporter_phone: str = "", base_url: str = "",
    round: Any = None,
) -> MisuseReport:
    """A new report from anyone. ``by`` is the signed-in user or None (anonymous).

    The pledge is kept only when ``by`` is the collaborator who owns it.
    """
    user = by if isinstance(by, User) and by.is_authenticated else None
    errors: dict[str, list[str]] = {}
    if category not in Category.values:
        errors["category"] = [_("choose a category")]
    if area is None:
        errors["area"] = [_("give the area (Kemendagri code)")]
    elif not Area.objects.filter(pk=area.pk).exists():
        errors["area"] = [_("no area has the code %(code)s") % {"code": area.pk}]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("describe what happened")]
    elif len(description) > 5000:
        errors["description"] = [_("the description may be at most 5,000 characters")]
    if organization is not None and organization.kind not in REPORTABLE_ORGANIZATION_KINDS:
        errors["organization"] = [_("choose an aggregator or an executor")]
    reporter_email = (reporter_email or "").strip().lower()
    if reporter_email:
        try:
            validate_email(reporter_email)
        except ValidationError:
            errors["reporter_email"] = [_("enter a valid e-mail address")]
    photos = list(photos or [])
    clean: list[CleanPhoto] = []
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("at most %(n)d photos") % {"n": MAX_PHOTOS}]
    else:
        for upload in photos:
            try:
                clean.append(clean_photo(upload))
            except PhotoRejected as exc:
                errors.setdefault("photos", []).append(str(exc))
    if pledge is not None and not (user and is_collaborator_of_pledge(user, pledge)):
        pledge = None  # only its owner links a pledge; anyone else's id is ignored
    if errors:
        raise Invalid(errors)
    assert area is not None
    received_on = timezone.localdate()
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    report = MisuseReport.objects.create(
                        code=new_tracking_code(), category=category,
                        bast_number=(bast_number or "").strip()[:60], area=area,
                        organization=organization, pledge=pledge, round=round,
                        description=description,
                        reporter_name=(reporter_name or "").strip()[:200],
                        reporter_email=reporter_email,
                        reporter_phone=(reporter_phone or "").strip()[:40], submitted_by=user,
                        due_date=add_working_days(received_on, DUE_WORKING_DAYS))
                break
            except IntegrityError:  # the same code drawn twice: draw again
                continue
        else:
            raise RuntimeError("could not draw a free tracking code")
        for photo in clean:
            ReportPhoto.objects.create(report=report, file=photo.content,
                                       content_type=photo.content_type, size=photo.size)
        audit_log(actor=user or AnonymousUser(), action="report.received", obj=report, after={
            "state": report.state, "category": category, "area": area.pk,
            "organization": organization.pk if organization else None,
            "pledge": pledge.pk if pledge else None, "photos": len(clean),
            "round": round.pk if round else None,
            "due_date": report.due_date.isoformat()})
        if report.reporter_email:
            transaction.on_commit(lambda: send_receipt_email(report, base_url))
    return report


def _locked(report: MisuseReport, by: Actor, perm: str, refusal: str, expected: str,
            wrong_state: str) -> MisuseReport:
    """The report's current row, locked; the actor checked against it, then the state."""
    if not isinstance(by, User):
        raise NotAllowed(refusal)
    report = MisuseReport.objects.select_for_update().get(pk=report.pk)
    if not may(by, perm, report):
        raise NotAllowed(refusal)
    if report.state != expected:
        raise WrongState(wrong_state % {"state": report.get_state_display()})
    return report


def report_triage(*, report: MisuseReport, assigned_to: User, priority: str,
                  by: Actor) -> MisuseReport:
    """Received > triaged: the assessor or an administrator assigns an officer and sets
    the priority."""
    if priority not in MisuseReport.Priority.values:
        raise Invalid(_("choose a priority"), field="priority")
    with transaction.atomic():
        report = _locked(
            report, by, "reports.triage_report",
            _("only the assessor or a platform administrator can triage reports"),
            MisuseReport.State.RECEIVED,
            _("only a received report can be triaged (it is %(state)s)"))
        if assigned_to is None or not officers_for(report).filter(pk=assigned_to.pk).exists():
            raise Invalid(_("choose an officer who covers the report's area"), field="assigned_to")
        before = {"state": report.state, "priority": report.priority, "assigned_to": None}
        report.state = MisuseReport.State.TRIAGED
        report.priority = priority
        report.assigned_to = assigned_to
        report.triaged_at = timezone.now()
        report.save(update_fields=["state", "priority", "assigned_to", "triaged_at",
                                   "updated_at"])
        audit_log(actor=by, action="report.triaged", obj=report, before=before, after={
            "state": report.state, "priority": priority, "assigned_to": assigned_to.pk,
            "due_date": report.due_date.isoformat()})
        notifications.report_assigned(report=report, by=by)
    return report


def report_investigate(*, report: MisuseReport, notes: str, by: Actor) -> MisuseReport:
    """Triaged > under investigation, with the officer's (internal) notes."""
    notes = (notes or "").strip()
    if not notes:
        raise Invalid(_("write what you are going to check"), field="notes")
    with transaction.atomic():
        report = _locked(
            report, by, "reports.investigate_report",
            _("only the assigned officer or the government can investigate this report"),
            MisuseReport.State.TRIAGED,
            _("only a triaged report can be investigated (it is %(state)s)"))
        before = {"state": report.state}
        report.state = MisuseReport.State.UNDER_INVESTIGATION
        report.investigation_notes = notes
        report.investigation_started_at = timezone.now()
        report.save(update_fields=["state", "investigation_notes", "investigation_started_at",
                                   "updated_at"])
        audit_log(actor=by, action="report.investigation_started", obj=report, before=before,
                  after={"state": report.state})
    return report


def report_resolve(*, report: MisuseReport, outcome: str, public_outcome: str, by: Actor,
                   base_url: str = "") -> MisuseReport:
    """Under investigation > resolved, founded or unfounded, with a public outcome text.
    The reporter is e-mailed if they left an address."""
    if outcome not in MisuseReport.Outcome.values:
        raise Invalid(_("choose founded or unfounded"), field="outcome")
    public_outcome = (public_outcome or "").strip()
    if not public_outcome:
        raise Invalid(_("write the outcome the public will read"), field="public_outcome")
    with transaction.atomic():
        report = _locked(
            report, by, "reports.resolve_report",
            _("only the assigned officer or the government can resolve this report"),
            MisuseReport.State.UNDER_INVESTIGATION,
            _("only a report under investigation can be resolved (it is %(state)s)"))
        before = {"state": report.state}
        report.state = MisuseReport.State.RESOLVED
        report.outcome = outcome
        report.public_outcome = public_outcome
        report.resolved_at = timezone.now()
        report.save(update_fields=["state", "outcome", "public_outcome", "resolved_at",
                                   "updated_at"])
        audit_log(actor=by, action="report.resolved", obj=report, before=before,
                  after={"state": report.state, "outcome": outcome})
        if report.reporter_email:
            resolved = report
            transaction.on_commit(lambda: send_resolution_email(resolved, base_url))
    return report
