"""Humane labels for the audit log's action codes (issue 15: the back office showed
"delivery.scheduled" and "distribution.delivery 11"). One mapping, in one place; every code
that a service writes has a label here (tests/core/test_audit_labels.py reads the sources).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "admin.added": _("Added in the admin"),
    "admin.changed": _("Changed in the admin"),
    "admin.deleted": _("Deleted in the admin"),
    "aggregator.profile_created": _("Aggregator registered"),
    "aggregator.verified": _("Aggregator verified"),
    "allocation.created": _("Allocation made by hand"),
    "allocation.returned": _("Allocation returned"),
    "allocation_line.edited": _("Proposed quantity changed"),
    "allocation_run.approved": _("Allocation run approved"),
    "allocation_run.discarded": _("Allocation run discarded"),
    "allocation_run.failed": _("Allocation run failed"),
    "allocation_run.proposed": _("Allocation run proposed"),
    "allocation_run.started": _("Allocation run started"),
    "areas.reference_loaded": _("Areas loaded"),
    "areas.rws_imported": _("RWs imported"),
    "boundaries.load": _("Boundaries loaded"),
    "collaborator.email_verified": _("Donor's e-mail confirmed"),
    "collaborator.profile_created": _("Donor registered"),
    "collaborator_link.accepted": _("Donor link accepted"),
    "collaborator_link.invited": _("Donor invited to link"),
    "delivery.cancelled": _("Delivery cancelled"),
    "delivery.delivered": _("Delivery arrived"),
    "delivery.dispatched": _("Delivery on its way"),
    "delivery.failed": _("Delivery failed"),
    "delivery.handed_over": _("Delivery handed over"),
    "delivery.scheduled": _("Delivery scheduled"),
    "delivery.verified": _("Delivery verified"),
    "handout.photo_added": _("Handout photo added"),
    "handout.recorded": _("Handout to a household recorded"),
    "handout.undone": _("Handout to a household undone"),
    "handover.confirmed": _("Handover report signed by one party"),
    "handover.created": _("Handover report drafted"),
    "handover.paper_accepted": _("Paper handover report accepted"),
    "handover.paper_uploaded": _("Paper handover report uploaded"),
    "handover.photo_added": _("Handover photo added"),
    "handover.sealed": _("Handover report sealed"),
    "handover.signed": _("Handover report signed by all"),
    "handover.updated": _("Handover report corrected"),
    "household.added": _("Household added"),
    "household.corrected": _("Household corrected"),
    "household.flags_resolved": _("Household checks resolved"),
    "household.status_changed": _("Household status changed"),
    "household_import.queued": _("Household list import queued"),
    "households.imported": _("Household list imported"),
    "idea.answered": _("Idea answered"),
    "idea.posted": _("Idea posted"),
    "idea.supported": _("Idea supported"),
    "idea.unsupported": _("Support for an idea withdrawn"),
    "item.deleted": _("Aid item deleted"),
    "item.retired": _("Aid item retired"),
    "membership.granted": _("Role granted"),
    "membership.revoked": _("Role revoked"),
    "mfa.backup_code_used": _("Backup code used"),
    "mfa.backup_codes_regenerated": _("Backup codes renewed"),
    "mfa.enrolled": _("Two-factor sign-in set up"),
    "mfa.reset": _("Two-factor sign-in reset"),
    "need.created": _("Need recorded"),
    "need.updated": _("Need changed"),
    "needs.derived": _("Needs derived from poor households"),
    "needs.imported": _("Needs imported"),
    "notifications.retried": _("Notification e-mails queued again"),
    "notifications.settings_changed": _("Notification choices changed"),
    "needs_import.queued": _("Needs import queued"),
    "ops.backed_up": _("Backup made"),
    "ops.restored": _("Backup restored"),
    "organization.created": _("Organisation created"),
    "pledge.allocated": _("Pledge allocated"),
    "pledge.cancelled": _("Pledge cancelled"),
    "pledge.completed": _("Pledge completed"),
    "pledge.distributed": _("Pledge distributed"),
    "pledge.expired": _("Pledge expired"),
    "pledge.received": _("Pledge received"),
    "pledge.rejected": _("Pledge rejected"),
    "pledge.submitted": _("Pledge submitted"),
    "pledges.imported": _("Pledges imported"),
    "privacy.account_erased": _("Account erased"),
    "privacy.data_exported": _("Personal data exported"),
    "privacy.personal_data_viewed": _("Personal data viewed"),
    "privacy.purged": _("Old personal data purged"),
    "programs.seeded": _("Programmes loaded"),
    "proofs.key_rotated": _("Signing key renewed"),
    "purchase.recorded": _("Purchase recorded"),
    "recipient.registered": _("Recipient registered"),
    "recipient.verified": _("Recipient verified"),
    "recipients.rws_registered": _("RWs registered as recipients"),
    "region.added": _("Region added"),
    "region.admin_invited": _("Region administrator invited"),
    "region.default_changed": _("Default region changed"),
    "region.organization_linked": _("Organisation linked to a region"),
    "region.organization_unlinked": _("Organisation unlinked from a region"),
    "region_program.adopted": _("Programme adopted by a region"),
    "region_program.created": _("Programme of a region's own created"),
    "region_program.renamed": _("Programme renamed by a region"),
    "region_program.withdrawn": _("Programme withdrawn by a region"),
    "report.investigation_started": _("Report investigation started"),
    "report.received": _("Report received"),
    "report.resolved": _("Report resolved"),
    "report.triaged": _("Report triaged"),
    "round.closed": _("Assessment round closed"),
    "round.opened": _("Assessment round opened"),
    "token.issued": _("API token issued"),
    "user.confirmed": _("Account confirmed"),
    "user.created": _("Account created"),
    "user.deactivated": _("Account deactivated"),
    "user.password_changed": _("Password changed"),
    "user.password_reset": _("Password reset"),
    "user.password_reset_requested": _("Password reset requested"),
    "user.privileges_changed": _("Privileges changed"),
    "user.sessions_ended": _("Sessions ended"),
}


def action_label(code: str) -> str:
    """The translated label of an action code; an unknown code (an entry older than its
    label) is shown as it is."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def object_label(*, object_type: str, object_id: str, object_repr: str = "") -> str:
    """What the entry is about, as a person names it: the kind of thing in the reader's
    language and its own name or number (the text stored with the entry), e.g.
    "pengiriman #11 -> RW 001, Gambir" instead of "distribution.delivery 11"."""
    kind = _model_name(object_type)
    name = object_repr or f"#{object_id}"
    return f"{kind}: {name}" if kind else name


def _model_name(object_type: str) -> str:
    try:
        model: Any = apps.get_model(object_type)
    except (LookupError, ValueError):
        return ""
    return str(model._meta.verbose_name).capitalize()
