"""Aggregators import many pledges at once from CSV or XLSX (donations they collected
offline, e.g. at a mosque or a company drive).

One row per pledge. Columns (header names, any order, case-insensitive):

- ``collaborator_id`` or ``collaborator_email``: the donor organisation (its id, or the
  contact e-mail of its collaborator profile); at least one of the two. Only collaborators
  linked to the aggregator (see ``linked_collaborators``) can be named: an address not
  linked yet gets an invitation, and its rows are refused until the invitation is
  accepted. The errors read the same whether or not an address or id exists;
- ``kind``: ``goods`` or ``money`` (optional: goods when ``item`` is given, else money);
- ``item``: the aid item's code (goods), e.g. ``sembako``;
- ``program``: the programme's code (money), e.g. ``PANGAN``;
- ``quantity`` (goods) or ``amount`` (money, whole rupiah);
- ``preferred_area``: an area code (optional); ``recipient``: a recipient id (optional);
- ``received``: optional; when given, the pledge is also confirmed as received with this
  quantity (goods) or amount (money).

The whole file is checked first; nothing is written unless every row is valid. Files are
read synchronously, so they are limited to ``MAX_ROWS`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from ksbb.accounts.models import Organization
from ksbb.areas.models import Area
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, WrongState, may
from ksbb.core.tables import (
    HostileContent,
    ImportReport,
    RowError,
    TableError,
    parse_count,
    read_rows,
)
from ksbb.donations.models import CollaboratorLink, CollaboratorProfile, Item, Pledge, Program
from ksbb.donations.selectors import linked_collaborators
from ksbb.donations.services import (
    _pledge_create,
    aggregator_can_receive,
    collaborator_invite,
    pledge_check,
    pledge_receive,
)
from ksbb.needs.models import Recipient

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ["collaborator_id", "collaborator_email", "kind", "item", "program", "quantity",
           "amount", "preferred_area", "recipient", "received"]


@dataclass
class _Row:
    number: int
    checked: dict[str, Any]
    preferred_area: Area | None
    recipient: Recipient | None
    received: int | None


def pledges_import(*, aggregator: Organization, source: IO[bytes], filename: str,
                   by: Actor) -> ImportReport:
    """Check every row, then create all pledges (and their receipts) or none.

    Refusals of the file as a whole (wrong person, unreadable file, too many rows) raise
    an Invalid on ``file``; row problems come back in ``report.errors``.
    """
    if not may(by, "donations.import_pledges", aggregator):
        raise NotAllowed(_("only staff of this aggregator can import its pledges"))
    if not aggregator_can_receive(aggregator):
        raise WrongState(_("this aggregator is not verified or its licence has expired"),
                         field="aggregator")
    size = getattr(source, "size", None)
    if size is not None and size > MAX_BYTES:
        raise Invalid({"file": [_("the file is larger than %(mb)s MB")
                                      % {"mb": MAX_BYTES // (1024 * 1024)}]})
    try:
        raw = list(_limited(read_rows(source, required=[], filename=filename)))
    except HostileContent as exc:
        return ImportReport(rows=0, errors=exc.errors)
    except TableError as exc:
        raise Invalid({"file": [str(exc)]}) from exc
    report = ImportReport(rows=len(raw))
    if not raw:
        raise Invalid({"file": [_("the file has no rows")]})
    if raw and not ({"collaborator_id", "collaborator_email"} & set(raw[0][1])):
        raise Invalid({"file": [_("missing columns: %(missing)s (expected %(expected)s)")
                                      % {"missing": "collaborator_id / collaborator_email",
                                         "expected": ", ".join(COLUMNS)}]})
    lookups = _Lookups(raw, aggregator)
    rows: list[_Row] = []
    for number, values in raw:
        row = _check_row(number, values, aggregator, lookups, report.errors)
        if row is not None:
            rows.append(row)
    if lookups.to_invite:
        for email in sorted(lookups.to_invite):
            collaborator_invite(aggregator=aggregator, email=email, by=by)
    if report.errors:
        return report
    with transaction.atomic():
        for row in rows:
            pledge = _pledge_create(row.checked, preferred_area=row.preferred_area,
                                    recipient=row.recipient, by=by, source="import")
            if row.received is not None:
                if pledge.kind == Pledge.Kind.GOODS:
                    pledge_receive(pledge=pledge, received_quantity=row.received, by=by)
                else:
                    pledge_receive(pledge=pledge, received_amount=row.received, by=by)
            report.created += 1
        audit_log(actor=by, action="pledges.imported", obj=aggregator, after={
            "file": filename[:200], "rows": report.rows, "created": report.created,
            "received": sum(1 for r in rows if r.received is not None)})
    return report


def _limited(rows: Any) -> Any:
    for n, row in enumerate(rows, start=1):
        if n > MAX_ROWS:
            raise TableError(_(
                "the file has more than %(max)s rows; split it into smaller files")
                % {"max": MAX_ROWS})
        yield row


class _Lookups:
    """Everything the rows name, fetched once."""

    def __init__(self, raw: list[tuple[int, dict[str, str]]], aggregator: Organization) -> None:
        def col(name: str) -> set[str]:
            return {v.get(name, "").strip() for _n, v in raw} - {""}

        # Only the aggregator's own collaborators are looked up: nothing here can tell
        # whether another id or e-mail address exists.
        linked = linked_collaborators(aggregator)
        ids = {int(v) for v in col("collaborator_id") if v.isdigit() and len(v) < 19}
        self.by_id = linked.filter(pk__in=ids).in_bulk()
        emails = {e.lower() for e in col("collaborator_email")}
        org_of: dict[str, int] = {}
        for email, org in CollaboratorLink.objects.filter(
                aggregator=aggregator, email__in=emails, accepted_at__isnull=False,
                collaborator__in=linked).values_list("email", "collaborator_id"):
            org_of.setdefault(email, org)
        for email, org in CollaboratorProfile.objects.filter(
                organization__in=linked).values_list("contact_email", "organization_id"):
            if email.lower() in emails:
                org_of.setdefault(email.lower(), org)
        orgs = Organization.objects.in_bulk(set(org_of.values()))
        self.by_email: dict[str, Organization] = {e: orgs[o] for e, o in org_of.items()}
        self.to_invite: set[str] = set()
        self.items = {i.code: i for i in Item.objects.filter(
            code__in={c.lower() for c in col("item")}).select_related("program")}
        self.programs = {p.code: p for p in Program.objects.filter(
            code__in={c.upper() for c in col("program")})}
        self.areas = Area.objects.in_bulk(list(col("preferred_area")))
        self.recipients = Recipient.objects.filter(
            pk__in={int(v) for v in col("recipient") if v.isdigit()}).in_bulk()


def _check_row(number: int, v: dict[str, str], aggregator: Organization, look: _Lookups,
               errors: list[RowError]) -> _Row | None:
    before = len(errors)

    def err(field: str, message: str) -> None:
        errors.append(RowError(number, field, message))

    collaborator = None
    cid, cmail = v.get("collaborator_id", "").strip(), v.get("collaborator_email", "").strip()
    if cid:
        collaborator = look.by_id.get(int(cid)) if cid.isdigit() and len(cid) < 19 else None
        if collaborator is None:
            err("collaborator_id", _(
                "%(id)s is not a collaborator linked to this aggregator; name them by e-mail "
                "address to invite them") % {"id": cid})
    elif cmail:
        collaborator = look.by_email.get(cmail.lower())
        if collaborator is None:
            try:
                validate_email(cmail)
            except ValidationError:
                err("collaborator_email", _("enter a valid e-mail address"))
            else:
                look.to_invite.add(cmail.lower())
                err("collaborator_email", _(
                    "%(email)s is not linked to this aggregator yet: an invitation to confirm "
                    "goes to that address; import the row again once it is accepted")
                    % {"email": cmail})
    else:
        err("collaborator_id", _("give the collaborator's id or e-mail address"))

    kind = v.get("kind", "").strip().lower()
    code_item, code_program = v.get("item", "").strip(), v.get("program", "").strip()
    if not kind:
        kind = Pledge.Kind.GOODS if code_item else Pledge.Kind.MONEY
    item = program = None
    quantity = amount = None
    if kind == Pledge.Kind.GOODS:
        item = look.items.get(code_item.lower())
        if item is None:
            err("item", _("unknown aid item code %(code)r") % {"code": code_item})
        quantity = _count(v.get("quantity", ""), "quantity", err)
    elif kind == Pledge.Kind.MONEY:
        program = look.programs.get(code_program.upper())
        if program is None:
            err("program", _("unknown programme code %(code)r") % {"code": code_program})
        amount = _count(v.get("amount", ""), "amount", err)
    else:
        err("kind", _("the kind is goods or money, not %(kind)r") % {"kind": kind})

    area = None
    area_code = v.get("preferred_area", "").strip()
    if area_code:
        area = look.areas.get(area_code)
        if area is None:
            err("preferred_area", _("unknown area code %(code)r") % {"code": area_code})
    recipient = None
    recipient_id = v.get("recipient", "").strip()
    if recipient_id:
        recipient = look.recipients.get(int(recipient_id)) if recipient_id.isdigit() else None
        if recipient is None:
            err("recipient", _("unknown recipient %(id)r") % {"id": recipient_id})

    received = None
    if v.get("received", "").strip():
        received = _count(v["received"], "received", err)
        pledged = quantity if kind == Pledge.Kind.GOODS else amount
        if received is not None and pledged is not None and received > pledged:
            err("received", _("more than was pledged (%(pledged)s)") % {"pledged": pledged})

    if len(errors) > before or collaborator is None:
        return None
    try:
        checked = pledge_check(collaborator=collaborator, aggregator=aggregator, item=item,
                               program=program, quantity=quantity, amount=amount,
                               preferred_area=area, recipient=recipient)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            field = {"amount_rupiah": "amount", NON_FIELD_ERRORS: ""}.get(field, field)
            for message in messages:
                err(field, message)
        return None
    return _Row(number, checked, area, recipient, received)


def _count(text: str, field: str, err: Any) -> int | None:
    try:
        value = parse_count(text)
    except ValueError as exc:
        err(field, str(exc))
        return None
    if not value:
        err(field, _("enter a whole number greater than zero"))
        return None
    return value
