"""Writes for the donations domain. Every service takes keyword arguments, runs in one
transaction, checks the actor and the state, and writes one audit entry; a refusal raises
a Invalid (a ValidationError keyed by field name) and changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ksbb.accounts.models import Organization, Role, User
from ksbb.accounts.services import (
    SELF_REGISTRATION,
    email_taken_notice_send,
    membership_grant,
    organization_create,
    password_hash,
    user_create,
    user_mark_confirmed,
)
from ksbb.areas.models import Area
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, SystemActor, WrongState, may, require
from ksbb.core.links import absolute_url
from ksbb.donations.models import (
    PLEDGE_SPENDABLE,
    AggregatorProfile,
    CollaboratorKind,
    CollaboratorLink,
    CollaboratorProfile,
    Item,
    Pledge,
    Program,
    Purchase,
    PurchaseFunding,
    RegionProgram,
)
from ksbb.donations.nik import validate_nik
from ksbb.donations.selectors import region_runs_program
from ksbb.donations.uploads import clean_receipt
from ksbb.needs.models import Recipient
from ksbb.notifications import events as notifications
from ksbb.regions.models import Region
from ksbb.regions.selectors import (
    default_region_row,
    organization_region_keys,
    region_key,
    region_key_of_area,
)
from ksbb.stats import rollups
from ksbb.stats.ledger import promise_cutoff

#: Who cancels the pledges never received (``ksbb expire_pledges``).
EXPIRY = SystemActor("expiry")
EMAIL_VERIFY_SALT = "ksbb.donations.verify-email"
EMAIL_VERIFY_MAX_AGE = 3 * 24 * 3600


def _positive_int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Invalid(_("enter a whole number greater than zero"), field=field)
    return int(value)


def _at_most_quantity(value: int, field: str, item: Item) -> int:
    if value > item.max_quantity:
        raise Invalid(_("the quantity is at most %(max)s %(unit)s of %(item)s at a time")
                % {"max": f"{item.max_quantity:,}".replace(",", "."),
                   "unit": item.get_unit_display(), "item": item.name}, field=field)
    return value


def _at_most_amount(value: int, field: str, program: Program) -> int:
    if value > program.max_amount_rupiah:
        raise Invalid(_("the amount is at most Rp %(max)s at a time for %(program)s")
                % {"max": f"{program.max_amount_rupiah:,}".replace(",", "."),
                   "program": program.name}, field=field)
    return value


# Programmes and items.

def item_retire(*, item: Item, by: Actor) -> Item:
    if not may(by, "donations.change_item"):
        raise NotAllowed(_("only a platform administrator can change aid items"))
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.is_active:
            item.is_active = False
            item.save(update_fields=["is_active"])
            audit_log(actor=by, action="item.retired", obj=item,
                      before={"active": True}, after={"active": False})
    return item


def item_delete(*, item: Item, by: Actor) -> None:
    """Delete an item nobody has used; items in use can only be retired."""
    if not may(by, "donations.change_item"):
        raise NotAllowed(_("only a platform administrator can change aid items"))
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.pledges.exists() or item.purchases.exists():
            raise WrongState(_("%(item)s is used by pledges or purchases and cannot be deleted; "
                            "retire it instead") % {"item": item.name})
        audit_log(actor=by, action="item.deleted", obj=item,
                  before={"name": item.name, "program": item.program.code}, after=None)
        item.delete()


# The programmes of a region (issue 18): the standard programmes are a template each
# region adopts (and may rename); one that adopted none runs every active programme.

LOCAL_NAME_LENGTH = 200  # RegionProgram.local_name


def _names_changed() -> None:
    # The public pages and the open data name programmes as their region does: the pages
    # cached under the statistics generation go (the figures themselves do not change).
    rollups.bump()


def _region_program_check(region: Region, by: Actor) -> None:
    require(by, "donations.manage_region_programs", region,
            message=_("only the administrator of %(region)s can change its programmes")
            % {"region": region.name})
    if region.pk is None:
        raise Invalid(_("choose the region"), field="region")


def _clean_local_name(local_name: str) -> str:
    local_name = (local_name or "").strip()
    if len(local_name) > LOCAL_NAME_LENGTH:
        raise Invalid(_("the name is at most 200 characters"), field="local_name")
    return local_name


def region_program_adopt(*, region: Region, program: Program, by: Actor,
                         local_name: str = "") -> RegionProgram:
    """``region`` runs ``program`` (under ``local_name`` when given). The first programme a
    region adopts ends "every programme": from then on it runs those it adopted."""
    _region_program_check(region, by)
    if not program.is_active:
        raise Invalid(_("this programme is not running"), field="program")
    if program.region_id is not None and program.region_id != region.pk:
        raise Invalid(_("%(program)s is another region's own programme")
                      % {"program": program.name}, field="program")
    local_name = _clean_local_name(local_name)
    with transaction.atomic():
        row, created = RegionProgram.objects.select_for_update().get_or_create(
            region=region, program=program,
            defaults={"local_name": local_name, "is_active": True})
        if not created and row.is_active:
            raise WrongState(_("%(region)s runs %(program)s already")
                             % {"region": region.name, "program": program.name},
                             field="program")
        before = None if created else {"active": False, "local_name": row.local_name}
        if not created:
            row.is_active = True
            row.local_name = local_name or row.local_name
            row.save(update_fields=["is_active", "local_name"])
        _names_changed()
        audit_log(actor=by, action="region_program.adopted", obj=row, before=before,
                  after={"region": region.code, "program": program.code, "active": True,
                         "local_name": row.local_name})
    return row


PROGRAM_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")


def region_program_create(*, region: Region, code: str, name: str, by: Actor,
                          description: str = "") -> RegionProgram:
    """A programme of ``region``'s own, beside the standard ones it adopted (or all of
    them): it runs it from now on, and no other region can adopt it. Its aid items are
    added in the admin; until then it takes money pledges."""
    _region_program_check(region, by)
    code = (code or "").strip().upper()
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not PROGRAM_CODE.match(code):
        errors["code"] = [_("the code is 2 to 32 capital letters, digits or _, starting "
                            "with a letter, e.g. BEASISWA_BDG")]
    elif Program.objects.filter(code=code).exists():
        errors["code"] = [_("a programme with the code %(code)s exists already")
                          % {"code": code}]
    if not name:
        errors["name"] = [_("the name is required")]
    elif len(name) > LOCAL_NAME_LENGTH:
        errors["name"] = [_("the name is at most 200 characters")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        program = Program.objects.create(code=code, name=name, region=region,
                                         description=(description or "").strip())
        row = RegionProgram.objects.create(region=region, program=program)
        _names_changed()
        audit_log(actor=by, action="region_program.created", obj=row,
                  after={"region": region.code, "program": code, "name": name})
    return row


def region_program_rename(*, region: Region, program: Program, local_name: str,
                          by: Actor) -> RegionProgram:
    """The name ``region`` gives a programme it adopted ("": the programme's own name)."""
    _region_program_check(region, by)
    local_name = _clean_local_name(local_name)
    with transaction.atomic():
        row = RegionProgram.objects.select_for_update().filter(
            region=region, program=program, is_active=True).first()
        if row is None:
            raise WrongState(_("%(region)s has not adopted %(program)s: adopt it first")
                             % {"region": region.name, "program": program.name},
                             field="program")
        if row.local_name != local_name:
            before = {"local_name": row.local_name}
            row.local_name = local_name
            row.save(update_fields=["local_name"])
            _names_changed()
            audit_log(actor=by, action="region_program.renamed", obj=row, before=before,
                      after={"local_name": local_name})
    return row


def region_program_withdraw(*, region: Region, program: Program, by: Actor) -> RegionProgram:
    """``region`` stops running ``program``: new pledges to the region cannot name it (what
    was pledged stays)."""
    _region_program_check(region, by)
    with transaction.atomic():
        row = RegionProgram.objects.select_for_update().filter(
            region=region, program=program, is_active=True).first()
        if row is None:
            raise WrongState(_("%(region)s has not adopted %(program)s")
                             % {"region": region.name, "program": program.name},
                             field="program")
        row.is_active = False
        row.save(update_fields=["is_active"])
        _names_changed()
        audit_log(actor=by, action="region_program.withdrawn", obj=row,
                  before={"active": True}, after={"active": False})
    return row


# Collaborators.

def collaborator_profile_create(
    *, organization: Organization, kind: str, email: str, by: Actor, phone: str = "",
    legal_name: str = "", registration_number: str = "", nik: str = "",
) -> CollaboratorProfile:
    errors: dict[str, list[str]] = {}
    if organization.kind != Organization.Kind.COLLABORATOR:
        errors["organization"] = [_("the organisation is not a collaborator")]
    if kind not in CollaboratorKind.values:
        errors["kind"] = [_("%(kind)r is not a collaborator kind") % {"kind": kind}]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("enter a valid e-mail address")]
    if nik:
        if kind != CollaboratorKind.INDIVIDUAL:
            errors["nik"] = [_("only individuals give a NIK")]
        else:
            try:
                nik = validate_nik(nik)
            except ValidationError as exc:
                errors["nik"] = exc.messages
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        profile = CollaboratorProfile.objects.create(
            organization=organization, collaborator_kind=kind, contact_email=email,
            contact_phone=phone.strip(), legal_name=legal_name.strip(),
            registration_number=registration_number.strip(), nik=nik)
        audit_log(actor=by, action="collaborator.profile_created", obj=profile, after={
            "organization": organization.pk, "kind": kind, "nik_given": bool(nik)})
    return profile


def collaborator_register(
    *, kind: str, name: str, email: str, password: str, by: Actor | None = None, phone: str = "",
    area: Area | None = None, legal_name: str = "", registration_number: str = "",
    nik: str = "", send_verification: bool = True,
) -> CollaboratorProfile | None:
    """Sign-up: a user, a collaborator organisation with its profile, and the membership.

    ``by`` is whoever registers (None: the new user registers themself). An address that
    has an account already gets a notice by e-mail and None comes back: the page answers
    as for a new account, so that it tells no one who is registered (self-registration;
    an administrator registering someone is told).
    """
    email = (email or "").strip().lower()
    if not (name or "").strip():
        raise Invalid(_("the name is required"), field="name")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid(_("enter a valid e-mail address"), field="email") from exc
    try:
        # Slow on purpose: hashed before the transaction (and for a known address too, so
        # that the time taken does not tell either).
        hashed = password_hash(password)
    except ValidationError as exc:
        raise Invalid(exc.message_dict) from exc
    if email and User.objects.filter(username__iexact=email).exists():
        if by is not None:
            raise Invalid(_("an account with this e-mail address exists already"), field="email")
        email_taken_notice_send(email=email)
        return None
    with transaction.atomic():
        user = user_create(username=email, password=None, hashed_password=hashed,
                           by=by or SELF_REGISTRATION,
                           full_name=name.strip() if kind == CollaboratorKind.INDIVIDUAL else "",
                           email=email)
        actor = by or user
        org = organization_create(kind=Organization.Kind.COLLABORATOR, name=name, area=area,
                                  by=actor)
        profile = collaborator_profile_create(
            organization=org, kind=kind, email=email, phone=phone, legal_name=legal_name,
            registration_number=registration_number, nik=nik, by=actor)
        membership_grant(user=user, role=Role.COLLABORATOR, organization=org, by=actor)
        if send_verification:
            transaction.on_commit(lambda: send_verification_email(user=user))
    return profile


def _email_digest(email: str) -> str:
    # The link travels in URLs (server logs, browser history): it names the address by a
    # keyed digest, never in clear (a signed token is readable, not encrypted).
    return salted_hmac(EMAIL_VERIFY_SALT, (email or "").strip().lower()).hexdigest()[:24]


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "h": _email_digest(user.email)}, salt=EMAIL_VERIFY_SALT)


def send_verification_email(*, user: User) -> None:
    from django.urls import reverse

    # Absolute: the link is clicked in a mail client, not on the site.
    link = absolute_url(reverse("donations:verify_email",
                                args=[email_verification_token(user)]))
    send_mail(
        subject=_("KSBB: confirm your e-mail address"),
        message=_("Open this link to confirm your e-mail address: %(link)s") % {"link": link},
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[user.email])


def collaborator_verify_email(*, token: str) -> CollaboratorProfile:
    try:
        data = signing.loads(token, salt=EMAIL_VERIFY_SALT, max_age=EMAIL_VERIFY_MAX_AGE)
    except signing.BadSignature as exc:
        raise Invalid(_("the confirmation link is invalid or has expired"), field="token") from exc
    user = User.objects.filter(pk=data.get("u")).first()
    email = user.email if user is not None else ""
    # Links sent before the digest carried the address itself ("e").
    if not email or (data.get("h") != _email_digest(email) and data.get("e") != email):
        raise Invalid(_("the confirmation link is invalid or has expired"), field="token")
    with transaction.atomic():
        profile = (CollaboratorProfile.objects.select_for_update()
                   .filter(organization__memberships__user_id=data["u"],
                           contact_email=email).first())
        if profile is None:
            raise Invalid(_("the confirmation link is invalid or has expired"), field="token")
        if profile.email_verified_at is None:
            profile.email_verified_at = timezone.now()
            profile.save(update_fields=["email_verified_at"])
            audit_log(actor=User.objects.get(pk=data["u"]), action="collaborator.email_verified",
                      obj=profile, before={"verified": False}, after={"verified": True})
        owner = User.objects.get(pk=data["u"])
        user_mark_confirmed(user=owner, by=owner)
    return profile


# Aggregators.

def aggregator_profile_create(
    *, organization: Organization, licence_number: str, licence_valid_until: dt.date,
    by: Actor,
    email: str = "",
) -> AggregatorProfile:
    if organization.kind != Organization.Kind.AGGREGATOR:
        raise Invalid(_("the organisation is not an aggregator"), field="organization")
    if not licence_number.strip():
        raise Invalid(_("the Kemensos licence number is required"), field="licence_number")
    with transaction.atomic():
        profile = AggregatorProfile.objects.create(
            organization=organization, licence_number=licence_number.strip(),
            licence_valid_until=licence_valid_until, contact_email=email)
        audit_log(actor=by, action="aggregator.profile_created", obj=profile, after={
            "organization": organization.pk, "licence_number": profile.licence_number,
            "licence_valid_until": licence_valid_until.isoformat()})
    return profile


def aggregator_register(
    *, name: str, licence_number: str, licence_valid_until: dt.date, by: Actor | None = None,
    email: str = "", password: str | None = None, area: Area | None = None,
) -> AggregatorProfile | None:
    """A humanitarian organisation signs up; it receives nothing until an admin verifies it.

    With ``password``, a first staff account (user name: the e-mail address) is created.
    """
    email = (email or "").strip().lower()
    if password and not email:
        raise Invalid(_("the e-mail address is required"), field="email")
    hashed = None
    if password:
        try:
            hashed = password_hash(password)  # slow: before the transaction
        except ValidationError as exc:
            raise Invalid(exc.message_dict) from exc
    if password and User.objects.filter(username__iexact=email).exists():
        if by is not None:
            raise Invalid(_("an account with this e-mail address exists already"), field="email")
        # As for donors: the same answer as a new registration, a notice to the owner.
        email_taken_notice_send(email=email)
        return None
    with transaction.atomic():
        user = None
        if password:
            user = user_create(username=email, password=None, hashed_password=hashed,
                               email=email, by=by or SELF_REGISTRATION)
        actor = by or user or SELF_REGISTRATION
        org = organization_create(kind=Organization.Kind.AGGREGATOR, name=name, area=area,
                                  by=actor)
        profile = aggregator_profile_create(
            organization=org, licence_number=licence_number,
            licence_valid_until=licence_valid_until, email=email, by=actor)
        if user is not None:
            membership_grant(user=user, role=Role.AGGREGATOR_STAFF, organization=org, by=actor)
    return profile


def aggregator_verify(*, aggregator: Organization, by: Actor) -> AggregatorProfile:
    if not may(by, "donations.verify_aggregator"):
        raise NotAllowed(_("only a platform administrator can verify aggregators"))
    with transaction.atomic():
        profile = AggregatorProfile.objects.select_for_update().filter(
            organization=aggregator).first()
        if profile is None:
            raise Invalid(_("this organisation has no aggregator licence on file"),
                          field="aggregator")
        if profile.verified_at is not None:
            raise WrongState(_("this aggregator is verified already"), field="aggregator")
        if profile.licence_valid_until < timezone.localdate():
            raise Invalid(_("the Kemensos licence has expired"), field="aggregator")
        profile.verified_at = timezone.now()
        profile.verified_by = by
        profile.save(update_fields=["verified_at", "verified_by"])
        audit_log(actor=by, action="aggregator.verified", obj=profile,
                  before={"verified": False}, after={"verified": True,
                                                     "licence_number": profile.licence_number})
    return profile


def aggregator_can_receive(aggregator: Organization, on: dt.date | None = None) -> bool:
    """A verified aggregator with a licence still valid on ``on`` (today by default)."""
    if aggregator is None or aggregator.kind != Organization.Kind.AGGREGATOR:
        return False
    if not aggregator.is_active:
        return False
    profile = AggregatorProfile.objects.filter(organization=aggregator).first()
    if profile is None or profile.verified_at is None:
        return False
    return profile.licence_valid_until >= (on or timezone.localdate())


# Pledges.

def _pledge_state(pledge: Pledge) -> dict[str, Any]:
    return {"state": pledge.state}


def _lock(pledge: Pledge) -> Pledge:
    return Pledge.objects.select_for_update().get(pk=pledge.pk)


def pledge_submit(
    *, collaborator: Organization, aggregator: Organization, by: Actor,
    item: Item | None = None, program: Program | None = None, quantity: int | None = None,
    amount: int | None = None, preferred_area: Area | None = None,
    recipient: Recipient | None = None, region: Region | None = None,
) -> Pledge:
    """Goods (``item`` and ``quantity``) or money (``program`` and ``amount`` in rupiah),
    given to ``region`` (default: the region of the recipient or preferred area, else the
    default region)."""
    if collaborator is None or collaborator.kind != Organization.Kind.COLLABORATOR:
        raise Invalid(_("the donor must be a collaborator organisation"), field="collaborator")
    if not may(by, "donations.pledge_for", collaborator):
        raise NotAllowed(_("you cannot pledge for this collaborator"))
    checked = pledge_check(collaborator=collaborator, aggregator=aggregator, item=item,
                           program=program, quantity=quantity, amount=amount,
                           preferred_area=preferred_area, recipient=recipient, region=region)
    with transaction.atomic():
        pledge = _pledge_create(checked, preferred_area=preferred_area, recipient=recipient,
                                by=by)
        notifications.pledge_submitted(pledge=pledge, by=by)
    return pledge


def pledge_check(
    *, collaborator: Organization, aggregator: Organization, item: Item | None = None,
    program: Program | None = None, quantity: int | None = None, amount: int | None = None,
    preferred_area: Area | None = None, recipient: Recipient | None = None,
    region: Region | None = None,
) -> dict[str, Any]:
    """The checks of a new pledge that do not depend on who records it; returns the
    cleaned values for ``_pledge_create`` (also used by the pledge import)."""
    if collaborator is None or collaborator.kind != Organization.Kind.COLLABORATOR:
        raise Invalid(_("the donor must be a collaborator organisation"), field="collaborator")
    if not collaborator.is_active:
        raise Invalid(_("this collaborator is not active"), field="collaborator")
    if not aggregator_can_receive(aggregator):
        raise Invalid(_("this aggregator is not verified or its licence has expired"),
                      field="aggregator")
    if (item is None) == (program is None):
        raise Invalid(_("pledge either goods (an aid item) or money (a programme)"))
    if item is not None:
        if amount is not None:
            raise Invalid(_("a goods pledge has a quantity, not an amount"), field="amount_rupiah")
        quantity = _at_most_quantity(_positive_int(quantity, "quantity"), "quantity", item)
        if not item.is_active or not item.program.is_active:
            raise Invalid(_("this aid item is not offered any more"), field="item")
        kind, program = Pledge.Kind.GOODS, item.program
    else:
        assert program is not None
        if quantity is not None:
            raise Invalid(_("a money pledge has an amount, not a quantity"), field="quantity")
        amount = _at_most_amount(_positive_int(amount, "amount_rupiah"), "amount_rupiah",
                                 program)
        if not program.is_active:
            raise Invalid(_("this programme is not running"), field="program")
        kind = Pledge.Kind.MONEY
    given_to = pledge_region(aggregator=aggregator, preferred_area=preferred_area,
                             recipient=recipient, region=region)
    if not region_runs_program(given_to, program):
        raise Invalid(_("%(region)s does not run the programme %(program)s")
                      % {"region": (given_to.name if given_to is not None else ""),
                         "program": program.name},
                      field="item" if item is not None else "program")
    return {"collaborator": collaborator, "aggregator": aggregator, "kind": kind,
            "program": program, "item": item, "quantity": quantity if item else None,
            "amount": amount if item is None else None, "region": given_to}


def pledge_region(*, aggregator: Organization, preferred_area: Area | None = None,
                  recipient: Recipient | None = None,
                  region: Region | None = None) -> Region | None:
    """The region a pledge is given to: where its recipient or preferred area lies (it
    must agree with ``region`` when both are given), else ``region``, else the default
    region (None: not stored yet). The aggregator must serve it."""
    place = recipient.area_id if recipient is not None else (
        preferred_area.code if preferred_area is not None else None)
    key = region_key_of_area(place) if place else (
        region.pk if region is not None else default_region_row().pk)
    if region is not None and key != region.pk:
        raise Invalid(_("the place chosen lies outside the region %(region)s")
                      % {"region": region.name},
                      field="recipient" if recipient is not None else "preferred_area")
    if key not in organization_region_keys(aggregator):
        raise Invalid(_("this aggregator does not serve that region"), field="aggregator")
    return region if region is not None else (
        Region.objects.get(pk=key) if key is not None else None)


def _pledge_create(checked: dict[str, Any], *, preferred_area: Area | None,
                   recipient: Recipient | None, by: Actor, source: str = "") -> Pledge:
    """Inside the caller's transaction: the pledge and its ``pledge.submitted`` entry."""
    collaborator, aggregator = checked["collaborator"], checked["aggregator"]
    kind, program, item = checked["kind"], checked["program"], checked["item"]
    pledge = Pledge.objects.create(
        collaborator=collaborator, aggregator=aggregator, kind=kind, program=program,
        item=item, quantity=checked["quantity"], amount_rupiah=checked["amount"],
        preferred_area=preferred_area, recipient=recipient, state=Pledge.State.SUBMITTED,
        created_by=by if isinstance(by, User) else None, region=checked.get("region"))
    after = {
        "state": pledge.state, "kind": kind, "collaborator": collaborator.pk,
        "aggregator": aggregator.pk, "program": program.code,
        "item": item.pk if item else None, "quantity": pledge.quantity,
        "amount_rupiah": pledge.amount_rupiah,
        "preferred_area": preferred_area.code if preferred_area else None,
        "recipient": recipient.pk if recipient else None,
        "region": pledge.region.code if pledge.region else None}
    if source:
        after["source"] = source
    audit_log(actor=by, action="pledge.submitted", obj=pledge, before=None, after=after)
    return pledge


def pledge_receive(
    *, pledge: Pledge, by: Actor, received_quantity: int | None = None,
    received_amount: int | None = None,
) -> Pledge:
    """The aggregator confirms what actually arrived (at most what was pledged)."""
    with transaction.atomic(), rollups.maintained():
        pledge = _lock(pledge)
        require(by, "donations.receive_pledge", pledge, view="donations.view_pledge",
                message=_("only staff of the chosen aggregator can confirm receipt"))
        if pledge.state != Pledge.State.SUBMITTED:
            raise WrongState(_("only a submitted pledge can be received (it is %(state)s)")
                    % {"state": pledge.get_state_display()})
        if not aggregator_can_receive(pledge.aggregator):
            raise Invalid(_("this aggregator is not verified or its licence has expired"))
        before = _pledge_state(pledge)
        if pledge.kind == Pledge.Kind.GOODS:
            if received_amount is not None:
                raise Invalid(_("a goods pledge has a quantity, not an amount"),
                              field="received_amount")
            received = _positive_int(received_quantity, "received_quantity")
            if received > (pledge.quantity or 0):
                raise Invalid(_(
                    "more than was pledged (%(pledged)s)") % {"pledged": pledge.quantity},
                        field="received_quantity")
            pledge.received_quantity = received
        else:
            if received_quantity is not None:
                raise Invalid(_("a money pledge has an amount, not a quantity"),
                              field="received_quantity")
            received = _positive_int(received_amount, "received_amount")
            if received > (pledge.amount_rupiah or 0):
                raise Invalid(_(
                    "more than was pledged (%(pledged)s)") % {"pledged": pledge.amount_rupiah},
                        field="received_amount")
            pledge.received_amount = received
        pledge.state = Pledge.State.RECEIVED
        pledge.received_at = timezone.now()
        pledge.save(update_fields=["state", "received_quantity", "received_amount",
                                   "received_at", "updated_at"])
        rollups.pledge_received(pledge)
        audit_log(actor=by, action="pledge.received", obj=pledge, before=before, after={
            "state": pledge.state, "received_quantity": pledge.received_quantity,
            "received_amount": pledge.received_amount})
        notifications.pledge_received(pledge=pledge, by=by)
    return pledge


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("give a reason"), field="reason")
    return reason


def pledge_reject(*, pledge: Pledge, reason: str, by: Actor) -> Pledge:
    with transaction.atomic():
        pledge = _lock(pledge)
        require(by, "donations.receive_pledge", pledge, view="donations.view_pledge",
                message=_("only staff of the chosen aggregator can reject a pledge"))
        if pledge.state != Pledge.State.SUBMITTED:
            raise WrongState(_("only a submitted pledge can be rejected (it is %(state)s)")
                    % {"state": pledge.get_state_display()})
        reason = _clean_reason(reason)
        before = _pledge_state(pledge)
        pledge.state, pledge.reason = Pledge.State.REJECTED, reason
        pledge.save(update_fields=["state", "reason", "updated_at"])
        audit_log(actor=by, action="pledge.rejected", obj=pledge, before=before,
                  after={"state": pledge.state, "reason": reason})
    return pledge


def pledge_cancel(*, pledge: Pledge, reason: str, by: Actor) -> Pledge:
    with transaction.atomic():
        pledge = _lock(pledge)
        require(by, "donations.cancel_pledge", pledge, view="donations.view_pledge",
                message=_("only the collaborator who pledged can cancel"))
        if pledge.state != Pledge.State.SUBMITTED:
            raise WrongState(_("only a submitted pledge can be cancelled (it is %(state)s)")
                    % {"state": pledge.get_state_display()})
        reason = _clean_reason(reason)
        before = _pledge_state(pledge)
        pledge.state, pledge.reason = Pledge.State.CANCELLED, reason
        pledge.save(update_fields=["state", "reason", "updated_at"])
        audit_log(actor=by, action="pledge.cancelled", obj=pledge, before=before,
                  after={"state": pledge.state, "reason": reason})
    return pledge


def pledges_expire(*, by: Actor = EXPIRY, now: dt.datetime | None = None) -> int:
    """Cancel the submitted pledges no aggregator received within KSBB_PLEDGE_PROMISE_DAYS
    (the public figures stop counting them as promised at that moment already); one audit
    entry each. Returns how many. Run daily (``ksbb expire_pledges``)."""
    cutoff = promise_cutoff(now)
    expired = 0
    for pk in list(Pledge.objects.filter(state=Pledge.State.SUBMITTED, created_at__lt=cutoff)
                   .order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            pledge = Pledge.objects.select_for_update().get(pk=pk)
            if pledge.state != Pledge.State.SUBMITTED or pledge.created_at >= cutoff:
                continue  # received or changed meanwhile
            pledge.state = Pledge.State.CANCELLED
            pledge.reason = _("not received within %(days)s days") % {
                "days": settings.KSBB_PLEDGE_PROMISE_DAYS}
            pledge.save(update_fields=["state", "reason", "updated_at"])
            audit_log(actor=by, action="pledge.expired", obj=pledge,
                      before={"state": Pledge.State.SUBMITTED},
                      after={"state": pledge.state, "reason": pledge.reason})
            expired += 1
    return expired


def _advance(*, pledge: Pledge, by: Actor, source: str, target: str, verb: str) -> Pledge:
    """Later steps, driven by allocation and distribution: the government or the system."""
    if not may(by, "donations.advance_pledge", pledge, system=True):
        raise NotAllowed(_("only the government can move a pledge on"))
    # Still collected: the statistics do not change.
    with transaction.atomic(), rollups.maintained():
        pledge = _lock(pledge)
        if pledge.state != source:
            raise WrongState(_("the pledge is %(state)s, not %(expected)s") % {
                "state": pledge.get_state_display(),
                "expected": Pledge.State(source).label})
        before = _pledge_state(pledge)
        pledge.state = target
        pledge.save(update_fields=["state", "updated_at"])
        audit_log(actor=by, action=f"pledge.{verb}", obj=pledge, before=before,
                  after={"state": target})
        if target == Pledge.State.ALLOCATED:
            notifications.pledge_allocated(pledge=pledge, by=by)
    return pledge


def pledge_mark_allocated(*, pledge: Pledge, by: Actor) -> Pledge:
    return _advance(pledge=pledge, by=by, source=Pledge.State.RECEIVED,
                    target=Pledge.State.ALLOCATED, verb="allocated")


def pledge_mark_distributed(*, pledge: Pledge, by: Actor) -> Pledge:
    return _advance(pledge=pledge, by=by, source=Pledge.State.ALLOCATED,
                    target=Pledge.State.DISTRIBUTED, verb="distributed")


def pledge_complete(*, pledge: Pledge, by: Actor) -> Pledge:
    return _advance(pledge=pledge, by=by, source=Pledge.State.DISTRIBUTED,
                    target=Pledge.State.COMPLETED, verb="completed")


def pledges_handed_over(*, allocations: Iterable[Any],
                        delivered: Callable[[Pledge | Purchase], bool], by: Actor) -> None:
    """Distribution's report that ``allocations`` reached their recipients (a signed BAST).

    The pledges behind them, directly or through the purchases their money paid for, move
    on: allocated > distributed; and distributed > completed once everything they gave has
    been handed over: a goods pledge when ``delivered(pledge)``, a money pledge when all
    of it is spent and ``delivered(purchase)`` for every purchase it paid for.
    ``delivered`` is distribution's answer; the moves are decided here.
    """
    pledge_ids = set()
    purchase_ids = set()
    for allocation in allocations:
        if allocation.pledge_id is not None:
            pledge_ids.add(allocation.pledge_id)
        if allocation.purchase_id is not None:
            purchase_ids.add(allocation.purchase_id)
    pledge_ids |= set(PurchaseFunding.objects.filter(purchase_id__in=purchase_ids)
                      .values_list("pledge_id", flat=True))
    for pledge in Pledge.objects.filter(pk__in=pledge_ids).order_by("pk"):
        if pledge.state == Pledge.State.ALLOCATED:
            pledge = pledge_mark_distributed(pledge=pledge, by=by)
        if pledge.state == Pledge.State.DISTRIBUTED and _gave_everything(pledge, delivered):
            pledge_complete(pledge=pledge, by=by)


def _gave_everything(pledge: Pledge, delivered: Callable[[Pledge | Purchase], bool]) -> bool:
    if pledge.kind == Pledge.Kind.GOODS:
        return delivered(pledge)
    if pledge_money_remaining(pledge) > 0:
        return False
    return all(delivered(funding.purchase)
               for funding in pledge.fundings.select_related("purchase"))


# Purchases.



def pledge_money_remaining(pledge: Pledge) -> int:
    spent = pledge.fundings.aggregate(total=Sum("amount_rupiah"))["total"] or 0
    return (pledge.received_amount or 0) - spent


def purchase_record(
    *, aggregator: Organization, item: Item, quantity: int, cost_rupiah: int, supplier: str,
    funding: Iterable[tuple[Pledge, int]], by: Actor, purchased_at: dt.date | None = None,
    receipt: Any = None,
) -> Purchase:
    """Goods bought with received money pledges; each pledge pays at most what is left."""
    if not may(by, "donations.record_purchase", aggregator):
        raise NotAllowed(_("only staff of this aggregator can record its purchases"))
    quantity = _at_most_quantity(_positive_int(quantity, "quantity"), "quantity", item)
    cost_rupiah = _at_most_amount(_positive_int(cost_rupiah, "cost_rupiah"), "cost_rupiah",
                                  item.program)
    if not (supplier or "").strip():
        raise Invalid(_("the supplier is required"), field="supplier")
    rows = list(funding)
    if not rows:
        raise Invalid(_("name at least one money pledge that paid for this"), field="funding")
    if receipt is not None:
        try:
            receipt = clean_receipt(receipt)
        except ValidationError as exc:
            raise Invalid(exc.message_dict) from exc
    with transaction.atomic():
        pledges = {p.pk: p for p in Pledge.objects.select_for_update().filter(
            pk__in=[p.pk for p, _amount in rows])}
        seen: set[int] = set()
        total = 0
        for pledge_ref, amount in rows:
            pledge = pledges[pledge_ref.pk]
            if pledge.pk in seen:
                raise Invalid(_("pledge #%(id)s is named twice") % {"id": pledge.pk},
                              field="funding")
            seen.add(pledge.pk)
            amount = _positive_int(amount, "funding")
            if pledge.aggregator_id != aggregator.pk:
                raise Invalid(_("pledge #%(id)s was not made to this aggregator")
                        % {"id": pledge.pk}, field="funding")
            if pledge.kind != Pledge.Kind.MONEY or pledge.state not in PLEDGE_SPENDABLE:
                raise Invalid(_("pledge #%(id)s is not received money") % {"id": pledge.pk},
                              field="funding")
            if pledge.program_id != item.program_id:
                raise Invalid(_("pledge #%(id)s was given for another programme")
                        % {"id": pledge.pk}, field="funding")
            if region_key(pledge.region_id) != region_key(pledges[rows[0][0].pk].region_id):
                # A purchase belongs to the region its money was given to: one region.
                raise Invalid(_("pledge #%(id)s was given to another region than the "
                                "others") % {"id": pledge.pk}, field="funding")
            remaining = pledge_money_remaining(pledge)
            if amount > remaining:
                raise Invalid(_("pledge #%(id)s has only Rp %(left)s left")
                        % {"id": pledge.pk, "left": remaining}, field="funding")
            total += amount
        if total > cost_rupiah:
            raise Invalid(_("the funding (Rp %(total)s) exceeds the cost (Rp %(cost)s)")
                    % {"total": total, "cost": cost_rupiah}, field="funding")
        purchase = Purchase.objects.create(
            aggregator=aggregator, item=item, quantity=quantity, cost_rupiah=cost_rupiah,
            supplier=supplier.strip(), purchased_at=purchased_at or timezone.localdate(),
            created_by=by)
        if receipt is not None:
            purchase.receipt.save(receipt.name, receipt, save=True)
        PurchaseFunding.objects.bulk_create([
            PurchaseFunding(purchase=purchase, pledge=pledges[p.pk], amount_rupiah=a)
            for p, a in rows])
        rollups.purchase_funded(purchase)
        audit_log(actor=by, action="purchase.recorded", obj=purchase, after={
            "aggregator": aggregator.pk, "item": item.pk, "quantity": quantity,
            "cost_rupiah": cost_rupiah, "supplier": purchase.supplier,
            "funding": {str(p.pk): a for p, a in rows}})
    return purchase


# Collaborators an aggregator may record pledges for.

LINK_SALT = "ksbb.donations.collaborator-link"
LINK_MAX_AGE = 30 * 24 * 3600


def collaborator_link_token(link: CollaboratorLink) -> str:
    return signing.dumps({"l": link.pk, "h": _email_digest(link.email)}, salt=LINK_SALT)


def collaborator_invite(*, aggregator: Organization, email: str, by: Actor) -> CollaboratorLink:
    """Ask the owner of ``email`` to confirm that ``aggregator`` may record donations for
    them (an import naming an address not linked yet does this). Idempotent: an address
    invited before is not mailed again. Says nothing about whether the address has an
    account: whoever owns it registers first if needed."""
    if not may(by, "donations.import_pledges", aggregator):
        raise NotAllowed(_("only staff of this aggregator can invite collaborators"))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid(_("enter a valid e-mail address"), field="collaborator_email") from exc
    with transaction.atomic():
        link, created = CollaboratorLink.objects.select_for_update().get_or_create(
            aggregator=aggregator, email=email,
            defaults={"invited_by": by if isinstance(by, User) else None})
        if created:
            audit_log(actor=by, action="collaborator_link.invited", obj=link,
                      after={"aggregator": aggregator.pk})
            transaction.on_commit(lambda: _send_invitation(link))
    return link


def _send_invitation(link: CollaboratorLink) -> None:
    from django.urls import reverse

    path = reverse("donations:link_accept", args=[collaborator_link_token(link)])
    send_mail(
        subject=_("KSBB: %(aggregator)s would like to record your donations")
        % {"aggregator": link.aggregator.name},
        message=_("%(aggregator)s, a humanitarian organisation on KSBB, would like to record "
                  "the donations you give through it. If you agree, sign in to KSBB as a "
                  "collaborator (register first if you have no account) and open: %(link)s\n"
                  "If you do not know this organisation, ignore this message.")
        % {"aggregator": link.aggregator.name, "link": settings.KSBB_PUBLIC_URL + path},
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[link.email])


def collaborator_link_from_token(token: str) -> CollaboratorLink:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature as exc:
        raise Invalid(_("the invitation link is invalid or has expired"), field="token") from exc
    link = CollaboratorLink.objects.select_related("aggregator").filter(pk=data.get("l")).first()
    if link is None or data.get("h") != _email_digest(link.email):
        raise Invalid(_("the invitation link is invalid or has expired"), field="token")
    return link


def collaborator_link_accept(*, token: str, by: Actor) -> CollaboratorLink:
    """The invited collaborator agrees: a collaborator organisation of ``by`` whose contact
    e-mail (or whose member's own address) is the invited one."""
    link = collaborator_link_from_token(token)
    if not isinstance(by, User) or not by.is_active:
        raise NotAllowed(_("sign in as the invited collaborator"))
    orgs = Organization.objects.filter(
        kind=Organization.Kind.COLLABORATOR, is_active=True,
        memberships__user=by, memberships__role=Role.COLLABORATOR,
        memberships__is_active=True).select_related("collaborator_profile").distinct()
    match = [o for o in orgs if (getattr(o, "collaborator_profile", None) is not None
                                 and o.collaborator_profile.contact_email.lower() == link.email)]
    if not match and (by.email or "").lower() == link.email and len(orgs) == 1:
        match = list(orgs)
    if len(match) != 1:
        raise NotAllowed(_("this invitation was sent to another e-mail address"))
    with transaction.atomic():
        link = CollaboratorLink.objects.select_for_update().get(pk=link.pk)
        if link.accepted_at is None:
            link.collaborator, link.accepted_at = match[0], timezone.now()
            link.save(update_fields=["collaborator", "accepted_at"])
            audit_log(actor=by, action="collaborator_link.accepted", obj=link,
                      before={"accepted": False},
                      after={"accepted": True, "collaborator": match[0].pk})
    return link
