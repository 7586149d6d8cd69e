"""A person's rights under Law 27/2022 (UU PDP) and the retention purge.

- :func:`my_data` / :func:`my_data_export`: everything KSBB holds about one account, as
  JSON-ready data (right of access and portability).
- :func:`account_erase`: the account's personal fields erased and the account closed; its
  pledges stay, under an anonymous donor, so the statistics do not change (right to
  erasure).
- :func:`purge_personal_data`: erase what is no longer needed once the retention period
  (``KSBB_PERSONAL_DATA_RETENTION_DAYS``) has passed.

The audit log is append-only and hash-chained: its entries are not rewritten. Entries
written here carry ids and counts, never the erased values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.accounts.models import Membership, Organization, Role, User
from ksbb.accounts.services import user_deactivate
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, WrongState, may
from ksbb.donations.models import CollaboratorKind, CollaboratorProfile, Pledge
from ksbb.forum.models import Idea, Support
from ksbb.households.services import households_erase, households_expired
from ksbb.needs.models import Recipient
from ksbb.reports.models import MisuseReport, ReportPhoto

# Stored instead of an erased individual donor's name. Indonesian, as the data is.
ANONYMOUS_DONOR = "Anonim"
ERASED_USERNAME_PREFIX = "deleted-"


# Access and portability ---------------------------------------------------------------------

def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _own_collaborator_orgs(user: User) -> list[Organization]:
    return list(Organization.objects.filter(
        kind=Organization.Kind.COLLABORATOR, memberships__user=user,
        memberships__role=Role.COLLABORATOR).distinct().order_by("pk"))


def my_data(user: User) -> dict[str, Any]:
    """Everything about ``user``: the account, memberships, the donor profiles and pledges
    of the collaborators they act for, their misuse reports and forum posts. Nobody
    else's personal data: other members of an organisation are not listed."""
    account = {
        "username": user.username, "full_name": user.full_name, "email": user.email,
        "first_name": user.first_name, "last_name": user.last_name,
        "date_joined": _iso(user.date_joined), "last_login": _iso(user.last_login),
        "is_active": user.is_active,
    }
    rows = list(Membership.objects.filter(user=user).select_related("organization")
                .prefetch_related("villages").order_by("pk"))
    recipients = Recipient.objects.in_bulk([m.recipient_id for m in rows if m.recipient_id])
    memberships = [
        {"role": m.role, "organization": m.organization.name if m.organization else None,
         "recipient": (str(recipients[m.recipient_id]) if m.recipient_id in recipients
                       else None),
         "villages": sorted(a.code for a in m.villages.all()), "is_active": m.is_active,
         "granted_at": _iso(m.granted_at)}
        for m in rows
    ]
    collaborators = []
    for org in _own_collaborator_orgs(user):
        profile = CollaboratorProfile.objects.filter(organization=org).first()
        pledges = Pledge.objects.filter(collaborator=org).select_related(
            "aggregator", "item", "program").order_by("pk")
        collaborators.append({
            "id": org.pk, "name": org.name, "area": org.area_id,
            "profile": None if profile is None else {
                "kind": profile.collaborator_kind, "contact_email": profile.contact_email,
                "contact_phone": profile.contact_phone, "legal_name": profile.legal_name,
                "registration_number": profile.registration_number, "nik": profile.nik,
                "email_verified_at": _iso(profile.email_verified_at),
                "created_at": _iso(profile.created_at)},
            "pledges": [
                {"id": p.pk, "kind": p.kind, "aggregator": p.aggregator.name,
                 "item": p.item.code if p.item else None,
                 "program": p.program.code if p.program else None,
                 "quantity": p.quantity, "amount_rupiah": p.amount_rupiah, "state": p.state,
                 "preferred_area": p.preferred_area_id, "created_at": _iso(p.created_at)}
                for p in pledges],
        })
    reports = [
        {"code": r.code, "category": r.category, "area": r.area_id,
         "description": r.description, "reporter_name": r.reporter_name,
         "reporter_email": r.reporter_email, "reporter_phone": r.reporter_phone,
         "state": r.state, "received_at": _iso(r.received_at)}
        for r in MisuseReport.objects.filter(submitted_by=user).order_by("pk")
    ]
    ideas = [
        {"id": i.pk, "title": i.title, "body": i.body, "status": i.status,
         "created_at": _iso(i.created_at)}
        for i in Idea.objects.filter(author=user).order_by("pk")
    ]
    supports = list(Support.objects.filter(user=user).order_by("pk").values_list(
        "idea_id", flat=True))
    return {
        "generated_at": _iso(timezone.now()),
        "account": account,
        "memberships": memberships,
        "collaborators": collaborators,
        "misuse_reports": reports,
        "ideas": ideas,
        "supported_ideas": supports,
    }


def my_data_export(*, user: User, by: Actor) -> dict[str, Any]:
    """:func:`my_data`, with an audit entry that it was handed out."""
    data = my_data(user)
    audit_log(actor=by, action="privacy.data_exported", object_type="accounts.user",
              object_id=str(user.pk), after={"sections": sorted(data)})
    return data


# Erasure ----------------------------------------------------------------------------------

def _erase_user_fields(user: User) -> list[str]:
    """Blank the account's personal fields; returns the names of those that held data."""
    erased = [name for name in ("full_name", "email", "first_name", "last_name")
              if getattr(user, name)]
    placeholder = f"{ERASED_USERNAME_PREFIX}{user.pk}"
    if user.username != placeholder:
        erased.append("username")
    user.username, user.full_name, user.email = placeholder, "", ""
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.save()
    Membership.objects.filter(user=user, is_active=True).update(is_active=False)
    return erased


def _anonymise_collaborator(org: Organization) -> list[str]:
    """An individual donor's name and a donor's contact, once nobody acts for it any more.
    The organisation and its pledges stay, with their kind and area, for the statistics."""
    if _someone_acts_for(org):
        return []
    erased: list[str] = []
    profile = CollaboratorProfile.objects.filter(organization=org).first()
    individual = profile is not None and profile.collaborator_kind == CollaboratorKind.INDIVIDUAL
    if profile is not None:
        fields = ["contact_email", "contact_phone", "nik"]
        if individual:
            fields += ["legal_name", "registration_number"]
        erased += [f for f in fields if getattr(profile, f)]
        for f in fields:
            setattr(profile, f, "")
        profile.save(update_fields=fields)
    if individual and org.name != ANONYMOUS_DONOR:
        org.name = ANONYMOUS_DONOR
        erased.append("name")
    if org.is_active and individual:
        org.is_active = False
    org.save(update_fields=["name", "is_active"])
    return erased


def _someone_acts_for(org: Organization) -> bool:
    return Membership.objects.filter(organization=org, role=Role.COLLABORATOR,
                                     is_active=True, user__is_active=True).exists()


def _has_reporter_contact() -> Q:
    return ~Q(reporter_name="") | ~Q(reporter_email="") | ~Q(reporter_phone="")


def account_erase(*, user: User, password: str, by: Actor) -> dict[str, Any]:
    """The person behind ``user`` asks to be forgotten (``by`` is that same account).

    Refused without the right password, and for accounts that act for an aggregator,
    executor, the government or a recipient (an administrator closes those)."""
    if by is None or getattr(by, "pk", None) != user.pk:
        raise NotAllowed(_("only the account holder can erase their account"))
    if not user.is_active:
        raise WrongState(_("this account is closed already"))
    if not may(by, "privacy.erase_own_account"):
        raise NotAllowed(_("accounts that act for an aggregator, executor, the government "
                             "or a recipient are closed by a platform administrator"))
    if not user.check_password(password or ""):
        raise Invalid(_("the password is not correct"), field="password")
    user_id = user.pk
    orgs = _own_collaborator_orgs(user)
    with transaction.atomic():
        erased: dict[str, list[Any]] = {"account": _erase_user_fields(user)}
        # After the erasure, so that its audit entry names the account by its placeholder.
        user_deactivate(user=user, by=by)
        for org in orgs:
            org_fields = _anonymise_collaborator(org)
            if org_fields:
                erased[f"collaborator:{org.pk}"] = org_fields
        reports = MisuseReport.objects.filter(submitted_by_id=user_id).filter(
            _has_reporter_contact())
        erased["misuse_reports"] = list(reports.values_list("pk", flat=True))
        reports.update(reporter_name="", reporter_email="", reporter_phone="")
        audit_log(actor=by, action="privacy.account_erased",
                  object_type="accounts.user", object_id=str(user_id), after=erased)
    return erased


# Retention -----------------------------------------------------------------------------------

@dataclass
class PurgeResult:
    cutoff: dt.datetime
    dry_run: bool
    report_contacts: list[int] = field(default_factory=list)
    report_photos: list[int] = field(default_factory=list)
    accounts: list[int] = field(default_factory=list)
    collaborators: list[int] = field(default_factory=list)
    households: list[int] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"report_contacts": len(self.report_contacts),
                "report_photos": len(self.report_photos), "accounts": len(self.accounts),
                "collaborators": len(self.collaborators), "households": len(self.households)}


def purge_personal_data(*, by: Actor, dry_run: bool = False, now: dt.datetime | None = None,
                        retention_days: int | None = None) -> PurgeResult:
    """Erase personal data kept longer than the retention period and no longer needed:

    - the reporter's contact and the photos of misuse reports resolved before the cutoff
      (the report, its outcome and its history stay);
    - the personal fields of closed accounts not signed in since the cutoff (joined
      before it when they never signed in), and the contact of donors nobody acts for any
      more;
    - the name, masked numbers, keyed hashes and reasons of households marked moved or
      deceased before the cutoff with no handout since (ksbb.households.services).

    Idempotent: a second run finds nothing. With ``dry_run`` nothing is written."""
    days = settings.KSBB_PERSONAL_DATA_RETENTION_DAYS if retention_days is None \
        else retention_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    result = PurgeResult(cutoff=cutoff, dry_run=dry_run)
    resolved_old = MisuseReport.objects.filter(state=MisuseReport.State.RESOLVED,
                                               resolved_at__lt=cutoff)
    result.report_contacts = list(resolved_old.filter(_has_reporter_contact())
                                  .order_by("pk").values_list("pk", flat=True))
    photos = ReportPhoto.objects.filter(report__in=resolved_old).order_by("pk")
    result.report_photos = list(photos.values_list("pk", flat=True))
    users = (User.objects.filter(is_active=False)
             .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
             .exclude(Q(username__startswith=ERASED_USERNAME_PREFIX) & Q(full_name="")
                      & Q(email="") & Q(first_name="") & Q(last_name=""))
             .order_by("pk"))
    result.accounts = list(users.values_list("pk", flat=True))
    # Donors those accounts acted for, once nobody acts for them and a contact is left.
    orphaned = [o for o in Organization.objects.filter(
        kind=Organization.Kind.COLLABORATOR, memberships__user__in=result.accounts)
        .distinct().order_by("pk")
        if not _someone_acts_for(o) and _collaborator_has_personal_data(o)]

    result.households = households_expired(cutoff=cutoff)
    if dry_run:
        result.collaborators = [o.pk for o in orphaned]
        return result
    with transaction.atomic():
        resolved_old.filter(pk__in=result.report_contacts).update(
            reporter_name="", reporter_email="", reporter_phone="")
        for photo in photos:
            photo.file.delete(save=False)
            photo.delete()
        for user in User.objects.filter(pk__in=result.accounts):
            _erase_user_fields(user)
        for org in orphaned:
            if _anonymise_collaborator(org):
                result.collaborators.append(org.pk)
        households_erase(ids=result.households)
        if any(result.counts.values()):
            audit_log(actor=by, action="privacy.purged", object_type="privacy.purge",
                      object_id=cutoff.date().isoformat(),
                      after={"retention_days": days, "cutoff": cutoff.isoformat(),
                             **result.counts, "report_ids": result.report_contacts,
                             "photo_ids": result.report_photos,
                             "account_ids": result.accounts,
                             "collaborator_ids": result.collaborators,
                             "household_ids": result.households})
    return result


def _collaborator_has_personal_data(org: Organization) -> bool:
    profile = CollaboratorProfile.objects.filter(organization=org).first()
    if profile is None:
        return False
    if profile.contact_email or profile.contact_phone or profile.nik:
        return True
    return (profile.collaborator_kind == CollaboratorKind.INDIVIDUAL
            and org.name != ANONYMOUS_DONOR)
