"""Reads of personal data as a given user may see it: in full or masked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules

from ksbb.core.privacy import mask_email, mask_phone
from ksbb.donations.models import CollaboratorProfile, Pledge
from ksbb.donations.rules import is_collaborator_of_pledge


@dataclass(frozen=True)
class DonorContact:
    email: str
    phone: str
    masked: bool
    # Fields shown in full to someone other than the donor: their access is audited.
    audit_fields: tuple[str, ...] = ()


def donor_contact_for(pledge: Pledge, user: Any) -> DonorContact | None:
    """The donor's contact on a pledge: in full for the donor and for the staff of the
    pledge's aggregator (who must reach them to collect it), masked for the government.
    Call only for a user who may view the pledge."""
    profile = CollaboratorProfile.objects.filter(organization_id=pledge.collaborator_id).first()
    if profile is None or not (profile.contact_email or profile.contact_phone):
        return None
    # The rule itself, not user.has_perm: a superuser does not handle the pledge.
    if rules.has_perm("privacy.view_donor_contact", user, pledge):
        own = is_collaborator_of_pledge(user, pledge)
        fields = tuple(f for f in ("contact_email", "contact_phone") if getattr(profile, f))
        return DonorContact(profile.contact_email, profile.contact_phone, False,
                            () if own else fields)
    return DonorContact(mask_email(profile.contact_email), mask_phone(profile.contact_phone),
                        True)
