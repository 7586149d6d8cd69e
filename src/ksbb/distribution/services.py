"""Writes for deliveries and handover reports (BAST). Every service takes keyword arguments,
runs in one transaction, locks the rows whose state it changes, checks the actor, the state
and the numbers, and writes audit entries; a refusal raises one of ksbb.core.domain's
(NotAllowed, WrongState, Invalid: ValidationErrors keyed by field) and changes nothing.
Signing a BAST tells donations what was handed over (``pledges_handed_over``); donations
moves the pledges.

Quantity that does not reach the recipient (a cancelled or failed delivery, a shortfall at
handover) goes back to its supply through ``Allocation.returned_quantity``: the only field of
an allocation this domain writes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.accounts.models import Organization, Role, User
from ksbb.accounts.selectors import scope_of
from ksbb.allocation.models import Allocation
from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.core.audit import audit_log
from ksbb.core.domain import (
    Actor,
    Invalid,
    NotAllowed,
    SystemActor,
    WrongState,
    may,
    require,
    require_user,
)
from ksbb.distribution.files import BadUpload, check_paper_scan, check_photo
from ksbb.distribution.models import (
    BastSequence,
    Delivery,
    DeliveryLine,
    Handover,
    HandoverLine,
    HandoverPhoto,
)
from ksbb.distribution.rules import is_staff_of_delivery_executor
from ksbb.distribution.selectors import (
    fingerprint_of,
    handover_content,
    open_allocation_ids,
    supply_aggregator_id,
)
from ksbb.donations.models import Program, Purchase
from ksbb.donations.services import pledges_handed_over
from ksbb.notifications import events as notifications
from ksbb.proofs.services import handover_seal
from ksbb.regions.selectors import actor_region_keys, region_key_of
from ksbb.stats import rollups


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("give a reason"), field="reason")
    return reason


def _delivery_state(d: Delivery) -> dict[str, Any]:
    return {"state": d.state}


# Returning quantity to the supply.

def _return_quantity(*, line: DeliveryLine, quantity: int, by: Actor, why: str) -> None:
    """Give ``quantity`` of a delivery line back to its supply (allocation locked here)."""
    if quantity <= 0:
        return
    allocation = Allocation.objects.select_for_update().get(pk=line.allocation_id)
    before = allocation.returned_quantity
    if before + quantity > allocation.quantity or (
            line.returned_quantity + quantity > line.quantity):
        raise Invalid(_("cannot return more than was allocated"))
    allocation.returned_quantity = before + quantity
    allocation.save(update_fields=["returned_quantity"])
    line.returned_quantity += quantity
    line.save(update_fields=["returned_quantity"])
    audit_log(actor=by, action="allocation.returned", obj=allocation,
              before={"returned_quantity": before},
              after={"returned_quantity": allocation.returned_quantity, "why": why,
                     "delivery": line.delivery_id, "delivery_line": line.pk})


# Deliveries.

def delivery_schedule(
    *, allocations: list[Allocation], executor: Organization, scheduled_for: dt.date,
    by: Actor,
) -> Delivery:
    """Group approved, not yet delivered allocations for ONE recipient into a delivery."""
    if not may(by, "distribution.schedule_delivery"):
        raise NotAllowed(_("only the assessor or the aggregator's staff can schedule deliveries"))
    ids = [a.pk for a in allocations]
    if not ids:
        raise Invalid(_("choose at least one allocation"), field="allocations")
    if len(set(ids)) != len(ids):
        raise Invalid(_("an allocation is named twice"), field="allocations")
    if executor.kind != Organization.Kind.EXECUTOR or not executor.is_active:
        raise Invalid(_("choose an active executor organisation"), field="executor")
    if not isinstance(scheduled_for, dt.date):
        raise Invalid(_("enter a date"), field="scheduled_for")
    with transaction.atomic():
        locked = list(Allocation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        rows = {a.pk: a for a in Allocation.objects.filter(pk__in=ids).select_related(
            "item__program", "pledge", "purchase", "recipient")}
        own_aggregators = {org for org, r in scope_of(by).org_roles
                           if r == Role.AGGREGATOR_STAFF} if isinstance(by, User) else set()
        # An assessor schedules the allocations of their own region only.
        assessor_regions = (actor_region_keys(by) if Role.ASSESSOR in scope_of(by).roles
                            else frozenset())
        # Whose allocation it is comes first, and another aggregator's allocation is refused
        # in the words of one that does not exist: the refusal must not tell an aggregator
        # what another one's allocations are (exist, approved, on a delivery).
        for i in ids:
            a = rows.get(i)
            if a is None or (region_key_of(a.recipient) not in assessor_regions
                             and supply_aggregator_id(a) not in own_aggregators):
                raise Invalid(_("allocation #%(id)s does not exist or is not yours "
                                         "to schedule") % {"id": i}, field="allocations")
        if len(locked) != len(ids):
            raise Invalid(_("an allocation does not exist"), field="allocations")
        chosen = [rows[i] for i in ids]
        busy = set(open_allocation_ids().filter(allocation_id__in=ids)
                   .values_list("allocation_id", flat=True))
        for a in chosen:
            if a.state != Allocation.State.ACTIVE:
                raise Invalid(_("allocation #%(id)s is not approved and active")
                        % {"id": a.pk}, field="allocations")
            if a.quantity - a.returned_quantity <= 0:
                raise Invalid(_("allocation #%(id)s has nothing left to deliver")
                        % {"id": a.pk}, field="allocations")
            if a.pk in busy:
                raise WrongState(_("allocation #%(id)s is already on a delivery")
                        % {"id": a.pk}, field="allocations")
        if len({a.recipient_id for a in chosen}) != 1:
            raise Invalid(_("a delivery goes to one recipient only"), field="allocations")
        if len({a.item.program_id for a in chosen}) != 1:
            raise Invalid(_("a delivery carries aid of one programme only"), field="allocations")
        first = chosen[0]
        delivery = Delivery.objects.create(
            recipient=first.recipient, executor=executor, program=first.item.program,
            scheduled_for=scheduled_for, created_by=by if isinstance(by, User) else None)
        DeliveryLine.objects.bulk_create([
            DeliveryLine(delivery=delivery, allocation=a,
                         quantity=a.quantity - a.returned_quantity) for a in chosen])
        audit_log(actor=by, action="delivery.scheduled", obj=delivery, before=None, after={
            "state": delivery.state, "recipient": first.recipient_id, "executor": executor.pk,
            "scheduled_for": scheduled_for.isoformat(),
            "lines": {str(a.pk): a.quantity - a.returned_quantity for a in chosen}})
        notifications.delivery_scheduled(delivery=delivery, by=by)
    return delivery


def _lock_delivery(delivery: Delivery) -> Delivery:
    return Delivery.objects.select_for_update(of=("self",)).select_related("recipient").get(
        pk=delivery.pk)


def _move(*, delivery: Delivery, by: Actor, perm: str, sources: tuple[str, ...], target: str,
          stamp: str | None, verb: str, who: str, reason: str | None = None) -> Delivery:
    # A delivery's state is not counted (its BASTs are): the statistics do not change.
    with transaction.atomic(), rollups.maintained():
        delivery = _lock_delivery(delivery)
        require(by, perm, delivery, view="distribution.view_delivery", message=who)
        if delivery.state not in sources:
            raise WrongState(_("the delivery is %(state)s; this step is not possible now")
                    % {"state": delivery.get_state_display()})
        before = _delivery_state(delivery)
        delivery.state = target
        fields = ["state"]
        if stamp:
            setattr(delivery, stamp, timezone.now())
            fields.append(stamp)
        after: dict[str, Any] = {"state": target}
        if reason is not None:
            delivery.reason = reason
            fields.append("reason")
            after["reason"] = reason
        delivery.save(update_fields=fields)
        audit_log(actor=by, action=f"delivery.{verb}", obj=delivery, before=before,
                  after=after)
        if target == Delivery.State.DISPATCHED:
            notifications.delivery_dispatched(delivery=delivery, by=by)
        elif target == Delivery.State.DELIVERED:
            notifications.delivery_delivered(delivery=delivery, by=by)
        if target in (Delivery.State.CANCELLED, Delivery.State.FAILED):
            for line in DeliveryLine.objects.select_for_update().filter(delivery=delivery):
                _return_quantity(line=line, quantity=line.quantity - line.returned_quantity,
                                 by=by, why=f"delivery.{verb}")
    return delivery


def delivery_dispatch(*, delivery: Delivery, by: Actor) -> Delivery:
    return _move(delivery=delivery, by=by, perm="distribution.operate_delivery",
                 sources=(Delivery.State.SCHEDULED,), target=Delivery.State.DISPATCHED,
                 stamp="dispatched_at", verb="dispatched",
                 who=_("only staff of the assigned executor can dispatch this delivery"))


def delivery_deliver(*, delivery: Delivery, by: Actor) -> Delivery:
    return _move(delivery=delivery, by=by, perm="distribution.operate_delivery",
                 sources=(Delivery.State.DISPATCHED,), target=Delivery.State.DELIVERED,
                 stamp="delivered_at", verb="delivered",
                 who=_("only staff of the assigned executor can mark this delivery delivered"))


def delivery_cancel(*, delivery: Delivery, reason: str, by: Actor) -> Delivery:
    """Before it arrives; the whole quantity goes back to the supplies."""
    reason = _clean_reason(reason)
    return _move(delivery=delivery, by=by, perm="distribution.cancel_delivery",
                 sources=(Delivery.State.SCHEDULED, Delivery.State.DISPATCHED),
                 target=Delivery.State.CANCELLED, stamp="closed_at", verb="cancelled",
                 reason=reason,
                 who=_("only the assessor, the aggregator or the executor can cancel this "
                       "delivery"))


def delivery_fail(*, delivery: Delivery, reason: str, by: Actor) -> Delivery:
    """On the way or at the door, before a BAST is signed; the quantity goes back."""
    reason = _clean_reason(reason)
    if delivery.handovers.exists():
        raise WrongState(_("a handover report exists for this delivery; correct it instead"))
    return _move(delivery=delivery, by=by, perm="distribution.operate_delivery",
                 sources=(Delivery.State.DISPATCHED, Delivery.State.DELIVERED),
                 target=Delivery.State.FAILED, stamp="closed_at", verb="failed",
                 reason=reason,
                 who=_("only staff of the assigned executor can report this delivery failed"))


def delivery_verify(*, delivery: Delivery, by: Actor) -> Delivery:
    return _move(delivery=delivery, by=by, perm="distribution.verify_delivery",
                 sources=(Delivery.State.HANDED_OVER,), target=Delivery.State.VERIFIED,
                 stamp="verified_at", verb="verified",
                 who=_("only the assessor or the kelurahan officer can verify this delivery"))


# BAST numbers and codes.

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud, typed by hand
_CODE_ALPHABET = CODE_ALPHABET
CODE_LENGTH = 12


def new_verification_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _i in range(CODE_LENGTH))


def bast_number_next(*, program: Program, on: dt.date) -> str:
    """``BAST/<programme>/<year>/<month>/<sequence>``, the sequence restarting each month.

    The month's counter row is locked (select_for_update) until the caller's transaction
    ends, so two handovers created at once get different numbers.
    """
    with transaction.atomic():
        key = {"program": program, "year": on.year, "month": on.month}
        seq = BastSequence.objects.select_for_update().filter(**key).first()
        if seq is None:
            try:
                with transaction.atomic():
                    seq = BastSequence.objects.create(**key, last=0)
            except IntegrityError:
                # Another transaction created it first; wait for its lock.
                seq = BastSequence.objects.select_for_update().get(**key)
            else:
                seq = BastSequence.objects.select_for_update().get(pk=seq.pk)
        seq.last += 1
        seq.save(update_fields=["last"])
    return f"BAST/{program.code}/{on.year:04d}/{on.month:02d}/{seq.last:04d}"


# Handover reports.

def _decimal(value: Any, field: str, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as exc:
        raise Invalid(_("enter a number"), field=field) from exc
    if not d.is_finite() or abs(d) > limit:
        raise Invalid(_("out of range"), field=field)
    return d


def _place(*, delivery: Delivery, area: Area | None, address: str, latitude: Any,
           longitude: Any) -> tuple[Area, str, Decimal | None, Decimal | None]:
    recipient = delivery.recipient
    area = area or recipient.area
    village = areacodes.village_of(recipient.area_id) or recipient.area_id
    if not areacodes.is_within(area.code, village):
        raise Invalid(_("the place must be in the recipient's village"), field="area")
    address = (address or recipient.address or "").strip()
    if not address:
        raise Invalid(_("enter the address where the aid was handed over"), field="address")
    lat = _decimal(latitude, "latitude", 90)
    lon = _decimal(longitude, "longitude", 180)
    if (lat is None) != (lon is None):
        raise Invalid(_("give both latitude and longitude, or neither"), field="latitude")
    return area, address[:300], lat, lon


def _check_date(date: Any) -> dt.date:
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise Invalid(_("enter a date"), field="date")
    if date > timezone.localdate():
        raise Invalid(_("the handover date cannot be in the future"), field="date")
    return date


def _check_date_window(date: dt.date, delivery: Delivery) -> None:
    """A handover happens after its delivery set out: a BAST dated before that (1999 for a
    delivery of 2026) would also take a number in the wrong month's sequence."""
    started = delivery.dispatched_at or delivery.created_at
    earliest = timezone.localdate(started) if started else None
    if earliest is not None and date < earliest:
        raise Invalid(_("the handover date cannot be before the delivery set out "
                          "(%(date)s)") % {"date": earliest.isoformat()}, field="date")


def handover_create(
    *, delivery: Delivery, date: dt.date, lines: dict[int, int], by: Actor,
    address: str = "", area: Area | None = None, latitude: Any = None, longitude: Any = None,
    supersedes: Handover | None = None, correction_reason: str = "",
) -> Handover:
    """A BAST draft for a delivered delivery (or a correction of a signed BAST).

    ``lines`` maps delivery line ids to the quantity actually handed over (missing: 0),
    at most what was delivered; a correction can only lower quantities, never raise them.
    """
    date = _check_date(date)
    with transaction.atomic():
        delivery = _lock_delivery(delivery)
        require(by, "distribution.create_handover", delivery, view="distribution.view_delivery",
                message=_("only staff of the assigned executor can write the handover report"))
        old_lines: dict[int, int] = {}
        if supersedes is None:
            if delivery.state != Delivery.State.DELIVERED:
                raise WrongState(_("the delivery is %(state)s; a handover report needs a "
                                "delivered delivery") % {"state": delivery.get_state_display()})
            if delivery.handovers.exists():
                raise WrongState(_("this delivery has a handover report already; correct it "
                                "instead"))
            correction_reason = ""
        else:
            supersedes = Handover.objects.select_for_update().get(pk=supersedes.pk)
            if supersedes.delivery_id != delivery.pk:
                raise Invalid(_("a correction must be for the same delivery"), field="supersedes")
            if not supersedes.is_signed:
                raise Invalid(_("only a signed handover report can be corrected; "
                                        "edit the draft instead"), field="supersedes")
            if Handover.objects.filter(supersedes=supersedes).exists():
                raise WrongState(_("this handover report has been corrected already"),
                                 field="supersedes")
            correction_reason = _clean_reason(correction_reason)
            old_lines = dict(supersedes.lines.values_list("delivery_line_id", "quantity"))
        _check_date_window(date, delivery)
        area, address, lat, lon = _place(delivery=delivery, area=area, address=address,
                                         latitude=latitude, longitude=longitude)
        rows = _handover_lines(delivery=delivery, lines=lines, old_lines=old_lines,
                               correction=supersedes is not None)
        handover = Handover.objects.create(
            number=bast_number_next(program=delivery.program, on=date),
            code=new_verification_code(), delivery=delivery, program=delivery.program,
            date=date, area=area, address=address, latitude=lat, longitude=lon,
            supersedes=supersedes, correction_reason=correction_reason,
            created_by=by if isinstance(by, User) else None)
        HandoverLine.objects.bulk_create([
            HandoverLine(handover=handover, delivery_line=dl, item=dl.allocation.item,
                         quantity=q) for dl, q in rows])
        audit_log(actor=by, action="handover.created", obj=handover, before=None, after={
            "state": handover.state, "number": handover.number, "delivery": delivery.pk,
            "date": date.isoformat(), "area": area.code, "address": address,
            "lines": {str(dl.pk): q for dl, q in rows},
            "supersedes": supersedes.number if supersedes else None})
        notifications.handover_created(handover=handover, by=by)
    return handover


def _handover_lines(*, delivery: Delivery, lines: dict[int, int], old_lines: dict[int, int],
                    correction: bool) -> list[tuple[DeliveryLine, int]]:
    delivery_lines = list(delivery.lines.select_related("allocation__item").order_by("pk"))
    known = {dl.pk for dl in delivery_lines}
    for key in lines:
        if key not in known:
            raise Invalid(_("line %(id)s is not part of this delivery") % {"id": key},
                          field="lines")
    rows = []
    for dl in delivery_lines:
        q = lines.get(dl.pk, 0)
        if isinstance(q, bool) or not isinstance(q, int) or q < 0:
            raise Invalid(_("enter whole numbers, zero or more"), field="lines")
        delivered = dl.quantity - dl.returned_quantity
        if correction:
            delivered = old_lines.get(dl.pk, 0)
        if q > delivered:
            if correction:
                raise Invalid(_("%(item)s: a correction cannot hand over more than the "
                                   "report it corrects (%(max)s); allocate again instead")
                        % {"item": dl.allocation.item.name, "max": delivered}, field="lines")
            raise Invalid(_("%(item)s: more than was delivered (%(max)s)")
                    % {"item": dl.allocation.item.name, "max": delivered}, field="lines")
        rows.append((dl, q))
    if not any(q for _dl, q in rows):
        raise Invalid(_("nothing was handed over: report the delivery as failed instead"),
                      field="lines")
    return rows


def _lock_handover(handover: Handover) -> Handover:
    return Handover.objects.select_for_update(of=("self",)).select_related(
        "delivery__recipient", "program", "area", "supersedes").get(pk=handover.pk)


def _refuse_if_signed(handover: Handover) -> None:
    if handover.is_signed:
        raise Invalid(_("BAST %(number)s is signed and cannot be changed; write a correction "
                        "instead") % {"number": handover.number})


def handover_update(
    *, handover: Handover, by: Actor, date: dt.date | None = None,
    lines: dict[int, int] | None = None, address: str | None = None,
    area: Area | None = None, latitude: Any = None, longitude: Any = None,
) -> Handover:
    """Edit a draft nobody has confirmed yet. A signed BAST is refused."""
    with transaction.atomic():
        handover = _lock_handover(handover)
        _refuse_if_signed(handover)
        require(by, "distribution.create_handover", handover, view="distribution.view_handover",
                message=_("only staff of the assigned executor can edit the handover report"))
        if any(getattr(handover, f"{p.value}_confirmed_at") for p in Handover.Party) or (
                handover.paper_scan):
            raise WrongState(_("someone has confirmed this draft already; it cannot be edited"))
        before = {"date": handover.date.isoformat(), "address": handover.address,
                  "area": handover.area_id}
        delivery = handover.delivery
        if date is not None:
            handover.date = _check_date(date)
            _check_date_window(handover.date, delivery)
        area_, address_, lat, lon = _place(
            delivery=delivery, area=area or handover.area,
            address=handover.address if address is None else address,
            latitude=latitude if latitude is not None else handover.latitude,
            longitude=longitude if longitude is not None else handover.longitude)
        handover.area, handover.address, handover.latitude, handover.longitude = (
            area_, address_, lat, lon)
        after: dict[str, Any] = {"date": handover.date.isoformat(), "address": address_,
                                 "area": area_.code}
        if lines is not None:
            old = dict(handover.supersedes.lines.values_list("delivery_line_id", "quantity")
                       ) if handover.supersedes else {}
            rows = _handover_lines(delivery=delivery, lines=lines, old_lines=old,
                                   correction=handover.supersedes_id is not None)
            for dl, q in rows:
                HandoverLine.objects.filter(handover=handover, delivery_line=dl).update(
                    quantity=q)
            after["lines"] = {str(dl.pk): q for dl, q in rows}
        handover.save()
        audit_log(actor=by, action="handover.updated", obj=handover, before=before,
                  after=after)
    return handover


def _party_name(user: User) -> str:
    return (user.full_name or user.get_full_name() or user.username)[:200]


def handover_confirm(*, handover: Handover, role: str, by: Actor) -> Handover:
    """One of the three parties confirms in the app; the third confirmation signs it."""
    if role not in Handover.Party.values:
        raise Invalid(_("unknown role"), field="role")
    with transaction.atomic():
        handover = _lock_handover(handover)
        by = require_user(by, f"distribution.confirm_handover_{role}", handover,
                          view="distribution.view_handover", message={
                              "giver": _("only staff of the assigned executor can confirm as "
                                         "giver"),
                              "receiver": _("only the recipient's representative can confirm "
                                            "as receiver"),
                              "witness": _("only the kelurahan officer of the village can "
                                           "confirm as witness"),
                          }[role])
        _refuse_if_signed(handover)
        if handover.paper_scan:
            raise Invalid(_("a signed paper BAST was uploaded; it waits for acceptance"))
        if getattr(handover, f"{role}_confirmed_at"):
            raise WrongState(_("this party has confirmed already"), field="role")
        for other in Handover.Party.values:
            if other != role and getattr(handover, f"{other}_id") == by.pk:
                raise Invalid(_("one person cannot sign for two parties"), field="role")
        now = timezone.now()
        setattr(handover, role, by)
        setattr(handover, f"{role}_name", _party_name(by))
        setattr(handover, f"{role}_confirmed_at", now)
        handover.save(update_fields=[role, f"{role}_name", f"{role}_confirmed_at"])
        audit_log(actor=by, action="handover.confirmed", obj=handover, before=None,
                  after={"role": role, "name": getattr(handover, f"{role}_name")})
        if all(getattr(handover, f"{p}_confirmed_at") for p in Handover.Party.values):
            _sign(handover=handover, by=by)
    return handover


def handover_photo_add(*, handover: Handover, upload: Any, by: Actor) -> HandoverPhoto:
    with transaction.atomic():
        handover = _lock_handover(handover)
        require(by, "distribution.create_handover", handover, view="distribution.view_handover",
                message=_("only staff of the assigned executor can add photos"))
        _refuse_if_signed(handover)
        try:
            checked = check_photo(upload)
        except BadUpload as exc:
            raise Invalid(str(exc), field="photo") from exc
        photo = HandoverPhoto(handover=handover, content_type=checked.content_type,
                              sha256=checked.sha256,
                              uploaded_by=by if isinstance(by, User) else None)
        photo.file.save(checked.content.name or "photo", checked.content, save=False)
        photo.save()
        audit_log(actor=by, action="handover.photo_added", obj=handover, before=None,
                  after={"photo": photo.pk, "sha256": checked.sha256,
                         "content_type": checked.content_type})
    return photo


def handover_paper_upload(*, handover: Handover, upload: Any, receiver_name: str,
                          witness_name: str, by: Actor) -> Handover:
    """Instead of confirming in the app: the executor uploads the signed paper BAST."""
    with transaction.atomic():
        handover = _lock_handover(handover)
        by = require_user(by, "distribution.create_handover", handover,
                          view="distribution.view_handover",
                          message=_("only staff of the assigned executor can upload the paper "
                                    "BAST"))
        _refuse_if_signed(handover)
        if handover.paper_scan:
            raise WrongState(_("a paper BAST was uploaded already"), field="paper")
        if handover.receiver_confirmed_at or handover.witness_confirmed_at:
            raise WrongState(_("the parties are confirming in the app already"), field="paper")
        receiver_name, witness_name = (receiver_name or "").strip(), (witness_name or "").strip()
        if not receiver_name:
            raise Invalid(_("enter the receiver's name as signed on paper"), field="receiver_name")
        if not witness_name:
            raise Invalid(_("enter the witness's name as signed on paper"), field="witness_name")
        try:
            checked = check_paper_scan(upload)
        except BadUpload as exc:
            raise Invalid(str(exc), field="paper") from exc
        handover.paper_scan.save(checked.content.name or "paper", checked.content, save=False)
        handover.paper_uploaded_by = by
        handover.paper_uploaded_at = timezone.now()
        handover.giver, handover.giver_name = by, _party_name(by)
        handover.giver_confirmed_at = handover.paper_uploaded_at
        handover.receiver_name, handover.witness_name = receiver_name[:200], witness_name[:200]
        handover.save()
        audit_log(actor=by, action="handover.paper_uploaded", obj=handover, before=None,
                  after={"sha256": checked.sha256, "content_type": checked.content_type,
                         "receiver_name": receiver_name, "witness_name": witness_name})
    return handover


def handover_paper_accept(*, handover: Handover, by: Actor) -> Handover:
    """The assessor or the village's kelurahan officer accepts the uploaded paper BAST."""
    with transaction.atomic():
        handover = _lock_handover(handover)
        by = require_user(by, "distribution.accept_handover_paper", handover,
                          view="distribution.view_handover",
                          message=_("only the assessor or the kelurahan officer can accept a "
                                    "paper BAST"))
        _refuse_if_signed(handover)
        if not handover.paper_scan:
            raise Invalid(_("no paper BAST has been uploaded"), field="paper")
        # The in-app path refuses one person for two parties; so does paper: whoever
        # uploaded it, or anyone of the giving executor, cannot also accept it.

        if by.pk in (handover.paper_uploaded_by_id, handover.giver_id) or (
                is_staff_of_delivery_executor(by, handover)):
            raise NotAllowed(_("the paper BAST must be accepted by someone other than the "
                            "executor who uploaded it"))
        handover.paper_accepted_by = by
        handover.paper_accepted_at = timezone.now()
        handover.save(update_fields=["paper_accepted_by", "paper_accepted_at"])
        audit_log(actor=by, action="handover.paper_accepted", obj=handover, before=None,
                  after={"accepted": True})
        _sign(handover=handover, by=by)
    return handover


@rollups.maintained()
def _sign(*, handover: Handover, by: Actor) -> None:
    """Freeze the content, return shortfalls to the supplies, move the delivery on."""
    content = handover_content(handover)
    handover.content = content
    handover.fingerprint = fingerprint_of(content)
    handover.state = Handover.State.SIGNED
    handover.signed_at = timezone.now()
    handover.save(update_fields=["content", "fingerprint", "state", "signed_at"])
    rollups.handover_signed(handover)
    old = dict(handover.supersedes.lines.values_list("delivery_line_id", "quantity")
               ) if handover.supersedes else None
    for hl in handover.lines.all():
        line = DeliveryLine.objects.select_for_update().get(pk=hl.delivery_line_id)
        if old is None:
            shortfall = line.quantity - line.returned_quantity - hl.quantity
        else:
            shortfall = old.get(line.pk, 0) - hl.quantity
        _return_quantity(line=line, quantity=shortfall, by=by,
                         why="handover.shortfall" if old is None else "handover.corrected")
    audit_log(actor=by, action="handover.signed", obj=handover,
              before={"state": Handover.State.DRAFT},
              after={"state": handover.state, "fingerprint": handover.fingerprint,
                     "supersedes": handover.supersedes.number if handover.supersedes
                     else None})
    # The platform's signature over the frozen content, recorded in the audit log too.

    handover_seal(handover=handover, by=by)
    notifications.handover_signed(handover=handover, by=by)
    delivery = _lock_delivery(handover.delivery)
    if delivery.state == Delivery.State.DELIVERED:
        before = _delivery_state(delivery)
        delivery.state = Delivery.State.HANDED_OVER
        delivery.handed_over_at = handover.signed_at
        delivery.save(update_fields=["state", "handed_over_at"])
        audit_log(actor=by, action="delivery.handed_over", obj=delivery, before=before,
                  after={"state": delivery.state, "handover": handover.number})
    _advance_pledges(handover=handover)


_HANDED_OVER = (Delivery.State.HANDED_OVER, Delivery.State.VERIFIED)


def _all_handed_over(allocations: Any) -> bool:
    """Every unit still allocated from a supply is on a delivery that was handed over."""
    for allocation in allocations.filter(state=Allocation.State.ACTIVE):
        if allocation.quantity - allocation.returned_quantity <= 0:
            continue
        if not allocation.delivery_lines.filter(delivery__state__in=_HANDED_OVER).exists():
            return False
    return True


def _supply_delivered(supply: Any) -> bool:
    """Everything a supply (a goods pledge or a purchase) gave is allocated and has been
    handed over: what donations asks before it completes a pledge."""
    total = supply.quantity if isinstance(supply, Purchase) else supply.received_quantity
    used = supply.allocations.filter(state=Allocation.State.ACTIVE).aggregate(
        n=Sum(F("quantity") - F("returned_quantity")))["n"] or 0
    return used >= (total or 0) and _all_handed_over(supply.allocations)


def _advance_pledges(*, handover: Handover) -> None:
    """Tell donations what this signed BAST handed over; it moves the pledges behind it on.
    The actor is a system actor naming the BAST: the moves follow from the signatures, not
    from anyone's decision."""
    allocations = Allocation.objects.filter(
        pk__in=handover.lines.values_list("delivery_line__allocation_id", flat=True))
    pledges_handed_over(allocations=allocations, delivered=_supply_delivered,
                        by=SystemActor(f"handover {handover.number}"))
