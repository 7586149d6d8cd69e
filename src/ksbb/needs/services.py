"""Writes for recipients, assessment rounds and needs. Each one is audited with its actor.

Services check the caller's right themselves (``ksbb.core.domain.may``: the role rule, no
superuser shortcut), so the pages, the API and the background tasks share one rule. Only
people set needs and rounds; a system actor (a command) only registers the RWs.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.areas.models import Area
from ksbb.core import areacodes
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, WrongState, is_user, may, require
from ksbb.core.tables import (
    HostileContent,
    ImportReport,
    RowError,
    TableError,
    parse_count,
    read_rows,
)
from ksbb.donations.models import Item, Program
from ksbb.needs.models import AssessmentRound, Need, NeedsImport, Recipient
from ksbb.regions.models import Region
from ksbb.regions.selectors import region_key_of, region_key_of_area, region_table
from ksbb.regions.services import region_to_act_in
from ksbb.stats import rollups

Rows = Iterable[tuple[int, dict[str, str]]]
Progress = Callable[[int], None]

NEEDS_COLUMNS = ["recipient", "item", "quantity", "priority"]
POVERTY_COLUMNS = ["rw_code", "poor_households"]
HEALTH_COLUMNS = ["rw_code"]
_INSTITUTION_RE = re.compile(r"^I-(\d+)$", re.IGNORECASE)
_PROGRESS_EVERY = 200


def recipients_ensure_for_rws(*, by: Actor) -> int:
    """Every RW is a recipient: create the missing ones; returns how many were created."""
    with transaction.atomic():
        missing = Area.objects.filter(level=Area.Level.RW).exclude(
            recipients__kind=Recipient.Kind.RW
        ).select_related("parent")
        new = [
            Recipient(kind=Recipient.Kind.RW, area=rw,
                      name=f"{rw.name}, {rw.parent.name if rw.parent else ''}".strip(", "),
                      residents=rw.population, is_verified=True)
            for rw in missing
        ]
        Recipient.objects.bulk_create(new, batch_size=2000)
        if new:
            audit_log(actor=by, action="recipients.rws_registered",
                      object_type="needs.recipient", object_id="rw",
                      after={"created": len(new)})
    return len(new)


# Institutions ---------------------------------------------------------------------------

def _institution_state(r: Recipient) -> dict[str, Any]:
    return {"kind": r.kind, "name": r.name, "area": r.area_id, "residents": r.residents,
            "address": r.address, "contact_name": r.contact_name,
            "contact_phone": r.contact_phone, "verified": r.is_verified}


def institution_register(
    *, kind: str, name: str, area: Area, residents: int | None, address: str,
    contact_name: str, contact_phone: str, by: Actor,
) -> Recipient:
    """Register an orphanage, pesantren, elderly home...; it waits for verification."""
    require(by, "needs.register_institution")
    errors: dict[str, str] = {}
    if kind not in Recipient.Kind.values or kind == Recipient.Kind.RW:
        errors["kind"] = _("%(kind)r is not an institution kind") % {"kind": kind}
    if not name.strip():
        errors["name"] = _("the name is required")
    if area is None or area.level not in (Area.Level.VILLAGE, Area.Level.RW):
        errors["area"] = _("the area must be a village (kelurahan/desa) or an RW")
    if residents is not None and residents < 0:
        errors["residents"] = _("the number of residents cannot be negative")
    if errors:
        raise Invalid(errors)
    if not may(by, "needs.register_institution", area):
        raise NotAllowed(_("the area lies outside your region"), field="area")
    with transaction.atomic():
        recipient = Recipient.objects.create(
            kind=kind, name=name.strip(), area=area, residents=residents,
            address=address.strip(), contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(), is_verified=False,
        )
        audit_log(actor=by, action="recipient.registered", obj=recipient,
                  after=_institution_state(recipient))
    return recipient


def institution_verify(*, recipient: Recipient, by: Actor) -> Recipient:
    """The assessor confirms an institution exists and may receive aid."""
    require(by, "needs.verify_recipient", recipient)
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if recipient.kind == Recipient.Kind.RW:
            raise WrongState(_("RWs are recipients by definition"), field="recipient")
        if not recipient.is_verified:
            recipient.is_verified = True
            recipient.save(update_fields=["is_verified"])
            audit_log(actor=by, action="recipient.verified", obj=recipient,
                      before={"verified": False}, after={"verified": True})
    return recipient


# Programmes and items -------------------------------------------------------------------

def program_by_code(program: Program | str | None) -> Program | None:
    """A programme given as itself or by its code (compared without case, e.g. pangan)."""
    if isinstance(program, Program) or program is None:
        return program
    code = str(program).strip()
    return Program.objects.filter(code__iexact=code).first() if code else None


def item_check(item: Item | str | None, rnd: AssessmentRound) -> tuple[Item | None, str]:
    """The aid item given as itself or by its code, and why it cannot be used in ``rnd``
    (empty when it can): it must exist and belong to the round's programme."""
    if isinstance(item, Item):
        found: Item | None = item
        code = item.code
    else:
        code = str(item or "").strip()
        found = Item.objects.filter(code=code).first() if code else None
    if found is None:
        if not code:
            return None, _("the aid item is required")
        return None, _("no aid item has the code %(code)s") % {"code": code}
    if found.program_id != rnd.program_id:
        return None, _("the aid item %(item)s does not belong to the programme %(program)s") % {
            "item": found.code, "program": rnd.program.code}
    return found, ""


# Rounds ---------------------------------------------------------------------------------

def round_open(
    *, name: str, program: Program | str, period_start: datetime.date,
    period_end: datetime.date, by: Actor, region: Region | None = None,
) -> AssessmentRound:
    """Open a round for a programme (the programme itself or its code) in ``region``
    (default: the region where ``by`` works)."""
    require(by, "needs.manage_round")
    region = region_to_act_in(by=by, region=region)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("the name is required")
    found = program_by_code(program)
    if found is None:
        if isinstance(program, str) and program.strip():
            errors["program"] = _("no programme has the code %(code)s") % {
                "code": program.strip()}
        else:
            errors["program"] = _("the programme is required")
    if period_end < period_start:
        errors["period_end"] = _("the period cannot end before it starts")
    if errors or found is None:
        raise Invalid(errors)
    with transaction.atomic():
        rnd = AssessmentRound.objects.create(
            name=name.strip(), program=found, period_start=period_start,
            period_end=period_end, created_by=by if is_user(by) else None, region=region,
        )
        audit_log(actor=by, action="round.opened", obj=rnd, after={
            "name": rnd.name, "program": found.code, "period_start": period_start,
            "period_end": period_end, "state": rnd.state,
            "region": region.code if region else None})
    return rnd


def round_close(*, round: AssessmentRound, by: Actor) -> AssessmentRound:
    require(by, "needs.manage_round", round)
    with transaction.atomic():
        rnd = AssessmentRound.objects.select_for_update().get(pk=round.pk)
        if rnd.state != AssessmentRound.State.CLOSED:
            rnd.state = AssessmentRound.State.CLOSED
            rnd.save(update_fields=["state"])
            audit_log(actor=by, action="round.closed", obj=rnd,
                      before={"state": AssessmentRound.State.OPEN},
                      after={"state": AssessmentRound.State.CLOSED})
    return rnd


def round_is_open(rnd: AssessmentRound) -> bool:
    # The caller's object may be stale: another request may have closed the round.
    return AssessmentRound.objects.filter(pk=rnd.pk, state=AssessmentRound.State.OPEN).exists()


def _locked_open_round(rnd: AssessmentRound) -> AssessmentRound:
    rnd = AssessmentRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.state != AssessmentRound.State.OPEN:
        raise WrongState(_("the round %(name)s is closed") % {"name": rnd.name}, field="round")
    return rnd


# Needs ----------------------------------------------------------------------------------

def _need_state(n: Need) -> dict[str, Any]:
    return {"recipient": n.recipient_id, "item": n.item.code, "quantity": n.quantity,
            "priority": n.priority, "source": n.source, "note": n.note}


def _check_need_values(quantity: Any, priority: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        errors["quantity"] = _("the quantity must be a whole number above 0")
    if priority not in Need.Priority.values:
        errors["priority"] = _("the priority must be 1, 2 or 3")
    return errors


def need_set(
    *, round: AssessmentRound, recipient: Recipient, item: Item | str, quantity: int,
    priority: int, by: Actor, note: str = "",
) -> Need:
    """Create or change one need by hand (the item itself or its code); the audit entry
    keeps before and after."""
    require(by, "needs.set_need", round)
    errors = _check_need_values(quantity, priority)
    found, item_error = item_check(item, round)
    if item_error:
        errors["item"] = item_error
    if not recipient.is_verified:
        errors["recipient"] = _("the recipient is not verified yet")
    elif region_key_of(recipient) != region_key_of(round):
        errors["recipient"] = _("the recipient lies outside the round's region")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        rnd = _locked_open_round(round)
        need = Need.objects.select_for_update().filter(
            round=rnd, recipient=recipient, item=found).first()
        before = _need_state(need) if need else None
        if need is None:
            need = Need(round=rnd, recipient=recipient, item=found)
        need.quantity, need.priority = quantity, priority
        need.source, need.note = Need.Source.MANUAL, note.strip()
        after = _need_state(need)
        if before != after:
            need.save()
            audit_log(actor=by, action="need.created" if before is None else "need.updated",
                      obj=need, before=before, after=after)
    return need


@dataclass(frozen=True)
class NeedRow:
    row: int
    recipient_id: int
    item_id: int
    quantity: int
    priority: int


def _recipient_key(text: str) -> str:
    text = text.strip()
    return text.upper() if _INSTITUTION_RE.match(text) else text


def _recipient_lookup(texts: Iterable[str]) -> dict[str, Recipient]:
    """Recipients named in a file, keyed by the text used: an RW code or ``I-<id>``."""
    rw_codes, ids = set(), set()
    for text in texts:
        match = _INSTITUTION_RE.match(text)
        if match:
            ids.add(int(match.group(1)))
        elif areacodes.is_valid(text):
            rw_codes.add(text)
    found: dict[str, Recipient] = {}
    for r in Recipient.objects.filter(kind=Recipient.Kind.RW, area_id__in=rw_codes):
        found[r.area_id] = r
    for r in Recipient.objects.exclude(kind=Recipient.Kind.RW).filter(pk__in=ids):
        found[f"I-{r.pk}"] = r
    return found


def needs_validate(
    rows: Rows, *, round: AssessmentRound, progress: Progress | None = None
) -> tuple[list[NeedRow], list[RowError]]:
    """Check every row of a needs file; the caller writes nothing if any error comes back.

    Items are named by code and must belong to the round's programme."""
    raw = list(rows)
    lookup = _recipient_lookup(_recipient_key(rec.get("recipient", "")) for _n, rec in raw)
    items: dict[str, tuple[Item | None, str]] = {}
    parsed: list[NeedRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, int], int] = {}
    table = region_table()
    region = region_key_of(round)
    for index, (number, rec) in enumerate(raw, start=1):
        row_errors: list[RowError] = []
        text = rec.get("recipient", "").strip()
        recipient = lookup.get(_recipient_key(text))
        if recipient is None:
            if _INSTITUTION_RE.match(text):
                message = _("institution %(value)s does not exist") % {"value": text}
            elif areacodes.is_valid(text) and areacodes.level_of(text) == areacodes.Level.RW:
                message = _("RW %(value)s is not a known recipient") % {"value": text}
            else:
                message = _("%(value)r is neither an RW code such as 31.71.01.1001.003 nor an "
                            "institution id such as I-12") % {"value": text}
            row_errors.append(RowError(number, "recipient", message))
        elif not recipient.is_verified:
            row_errors.append(RowError(number, "recipient", _(
                "institution %(value)s is not verified yet") % {"value": text}))
        elif region_key_of_area(recipient.area_id, table=table) != region:
            row_errors.append(RowError(number, "recipient", _(
                "%(value)s lies outside the round's region") % {"value": text}))
        item = rec.get("item", "").strip()
        if item not in items:
            items[item] = item_check(item, round)
        found, item_error = items[item]
        if item_error:
            row_errors.append(RowError(number, "item", item_error))
        quantity: int | None = None
        try:
            quantity = parse_count(rec.get("quantity", ""))
            if not quantity:
                raise ValueError(_("the quantity must be a whole number above 0"))
        except ValueError as exc:
            row_errors.append(RowError(number, "quantity", str(exc)))
            quantity = None
        priority_text = rec.get("priority", "").strip().removesuffix(".0")
        priority = int(priority_text) if priority_text in ("1", "2", "3") else None
        if priority is None:
            row_errors.append(RowError(number, "priority", _(
                "%(value)r is not a priority; use 1, 2 or 3") % {"value": rec.get("priority", "")}))
        if (not row_errors and recipient is not None and found is not None and quantity
                and priority):
            other = seen.get((recipient.pk, found.pk))
            if other is not None:
                row_errors.append(RowError(number, "item", _(
                    "%(recipient)s already has %(item)s on row %(other)s") % {
                        "recipient": text, "item": item, "other": other}))
            else:
                seen[(recipient.pk, found.pk)] = number
                parsed.append(NeedRow(number, recipient.pk, found.pk, quantity, priority))
        errors.extend(row_errors)
        if progress and index % _PROGRESS_EVERY == 0:
            progress(_PROGRESS_EVERY)
    if progress and len(raw) % _PROGRESS_EVERY:
        progress(len(raw) % _PROGRESS_EVERY)
    return parsed, errors


def _needs_write(
    *, rnd: AssessmentRound, parsed: list[NeedRow], source: str, by: Actor, action: str,
    report: ImportReport, extra: dict[str, Any],
) -> None:
    """Create or update the needs of one validated file, inside the caller's transaction."""
    existing = {
        (n.recipient_id, n.item_id): n
        for n in Need.objects.select_for_update().filter(
            round=rnd, recipient_id__in={p.recipient_id for p in parsed})
    }
    to_create, to_update, changes = [], [], []
    codes = dict(Item.objects.filter(pk__in={p.item_id for p in parsed}).values_list(
        "pk", "code"))
    for p in parsed:
        need = existing.get((p.recipient_id, p.item_id))
        if need is None:
            to_create.append(Need(round=rnd, recipient_id=p.recipient_id, item_id=p.item_id,
                                  quantity=p.quantity, priority=p.priority, source=source))
        elif (need.quantity, need.priority, need.source) != (p.quantity, p.priority, source):
            changes.append({"recipient": p.recipient_id, "item": codes[p.item_id],
                            "before": [need.quantity, need.priority, need.source],
                            "after": [p.quantity, p.priority, source]})
            need.quantity, need.priority, need.source = p.quantity, p.priority, source
            to_update.append(need)
        else:
            report.unchanged += 1
    Need.objects.bulk_create(to_create, batch_size=2000)
    now = timezone.now()
    for need in to_update:
        need.updated_at = now
    Need.objects.bulk_update(to_update, ["quantity", "priority", "source", "updated_at"],
                             batch_size=2000)
    report.created, report.updated = len(to_create), len(to_update)
    if report.created or report.updated:
        # Written in bulk, so no save signal: the cached need map, coverage and national map
        # must still make way, with this transaction.
        rollups.bump()
        audit_log(actor=by, action=action, obj=rnd, after={
            "created": report.created, "updated": report.updated, "changes": changes, **extra})


def needs_import(
    *, round: AssessmentRound, rows: Rows, by: Actor,
    progress: Progress | None = None, import_id: int | None = None,
) -> ImportReport:
    """All or nothing: validates every row (recipient, item, quantity, priority), then
    creates or updates the round's needs."""
    require(by, "needs.set_need", round)
    raw = list(rows)
    report = ImportReport(rows=len(raw))
    if not round_is_open(round):
        report.errors.append(RowError(0, "round", _("the round %(name)s is closed") % {
            "name": round.name}))
        return report
    parsed, report.errors = needs_validate(raw, round=round, progress=progress)
    if report.errors:
        return report
    with transaction.atomic():
        rnd = _locked_open_round(round)
        _needs_write(rnd=rnd, parsed=parsed, source=Need.Source.IMPORT, by=by,
                     action="needs.imported", report=report, extra={"import": import_id})
    return report


def _rw_recipients(codes: set[str]) -> dict[str, Recipient]:
    return {r.area_id: r for r in Recipient.objects.filter(kind=Recipient.Kind.RW,
                                                          area_id__in=codes)}


def _rw_code_error(number: int, code: str, known: dict[str, Recipient],
                   unknown_message: str) -> RowError | None:
    if not areacodes.is_valid(code) or areacodes.level_of(code) != areacodes.Level.RW:
        return RowError(number, "rw_code", _(
            "%(value)r is not an RW code such as 31.71.01.1001.003") % {"value": code})
    if code not in known:
        return RowError(number, "rw_code", unknown_message % {"value": code})
    return None


def needs_derive_from_poverty(
    *, round: AssessmentRound, item: Item | str, rows: Rows, by: Actor,
    per_poor_household: int = 1, health_rows: Rows | None = None,
    progress: Progress | None = None, import_id: int | None = None,
) -> ImportReport:
    """"``per_poor_household`` units of ``item`` per poor household", from welfare data
    (columns rw_code, poor_households). RWs listed by the health office (column rw_code)
    get priority 1, the others priority 2. All or nothing, like every import."""
    require(by, "needs.set_need", round)
    raw = list(rows)
    health = list(health_rows or [])
    report = ImportReport(rows=len(raw))
    found, item_error = item_check(item, round)
    if item_error:
        report.errors.append(RowError(0, "item", item_error))
    if not isinstance(per_poor_household, int) or per_poor_household <= 0:
        report.errors.append(RowError(0, "per_poor_household", _(
            "the quantity per poor household must be a whole number above 0")))
    if not round_is_open(round):
        report.errors.append(RowError(0, "round", _("the round %(name)s is closed") % {
            "name": round.name}))
    if report.errors or found is None:
        return report
    known = _rw_recipients({rec.get("rw_code", "").strip() for _n, rec in raw}
                           | {rec.get("rw_code", "").strip() for _n, rec in health})
    # RWs of another region are not this round's to assess: unknown here.
    table, region = region_table(), region_key_of(round)
    known = {code: r for code, r in known.items()
             if region_key_of_area(code, table=table) == region}
    raised: set[str] = set()
    for number, rec in health:
        code = rec.get("rw_code", "").strip()
        error = _rw_code_error(number, code, known, _(
            "health-office list: RW %(value)s is not a known recipient"))
        if error:
            report.errors.append(error)
        else:
            raised.add(code)
    parsed: list[NeedRow] = []
    seen: dict[str, int] = {}
    for index, (number, rec) in enumerate(raw, start=1):
        code = rec.get("rw_code", "").strip()
        row_errors: list[RowError] = []
        error = _rw_code_error(number, code, known, _("RW %(value)s is not a known recipient"))
        if error:
            row_errors.append(error)
        elif code in seen:
            row_errors.append(RowError(number, "rw_code", _(
                "RW %(code)s appears twice (also row %(other)s)") % {
                    "code": code, "other": seen[code]}))
        try:
            poor = parse_count(rec.get("poor_households", ""))
        except ValueError as exc:
            row_errors.append(RowError(number, "poor_households", str(exc)))
            poor = None
        if not row_errors and poor is not None:
            seen[code] = number
            if poor > 0:
                priority = Need.Priority.HIGH if code in raised else Need.Priority.NORMAL
                parsed.append(NeedRow(number, known[code].pk, found.pk, poor * per_poor_household,
                                      int(priority)))
        report.errors.extend(row_errors)
        if progress and index % _PROGRESS_EVERY == 0:
            progress(_PROGRESS_EVERY)
    if progress and len(raw) % _PROGRESS_EVERY:
        progress(len(raw) % _PROGRESS_EVERY)
    if report.errors:
        return report
    with transaction.atomic():
        rnd = _locked_open_round(round)
        _needs_write(rnd=rnd, parsed=parsed, source=Need.Source.DERIVED, by=by,
                     action="needs.derived", report=report, extra={
                         "import": import_id, "item": found.code,
                         "per_poor_household": per_poor_household,
                         "health_office_rws": len(raised)})
    return report


# Background imports ---------------------------------------------------------------------

def _read_file(field: Any, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    with field.open("rb") as fh:
        return list(read_rows(fh, required=required, filename=field.name))


def needs_import_run(*, import_id: int) -> NeedsImport:
    """The body of the background task: read, validate, write, and report progress."""
    job = NeedsImport.objects.select_related("round__program", "created_by", "item").get(
        pk=import_id)
    if job.is_finished:
        return job
    NeedsImport.objects.filter(pk=job.pk).update(state=NeedsImport.State.RUNNING)
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        NeedsImport.objects.filter(pk=job.pk).update(progress_done=done)

    try:
        if job.kind == NeedsImport.Kind.POVERTY:
            rows = _read_file(job.file, POVERTY_COLUMNS)
            health = _read_file(job.health_file, HEALTH_COLUMNS) if job.health_file else None
        else:
            rows, health = _read_file(job.file, NEEDS_COLUMNS), None
        NeedsImport.objects.filter(pk=job.pk).update(progress_total=len(rows))
        if job.kind == NeedsImport.Kind.POVERTY:
            report = needs_derive_from_poverty(
                round=job.round, item=job.item or "", per_poor_household=job.per_poor_household,
                rows=rows, health_rows=health, by=job.created_by, progress=progress,
                import_id=job.pk)
        else:
            report = needs_import(round=job.round, rows=rows, by=job.created_by,
                                  progress=progress, import_id=job.pk)
        state = NeedsImport.State.DONE if report.ok else NeedsImport.State.FAILED
        result = {"rows": report.rows, "created": report.created, "updated": report.updated,
                  "unchanged": report.unchanged,
                  "errors": [{"row": e.row, "field": e.field, "message": e.message}
                             for e in report.errors]}
    except HostileContent as exc:
        state = NeedsImport.State.FAILED
        result = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0,
                  "errors": [{"row": e.row, "field": e.field, "message": e.message}
                             for e in exc.errors]}
    except (TableError, ValidationError) as exc:
        state = NeedsImport.State.FAILED
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        result = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0,
                  "errors": [{"row": 0, "field": "", "message": message}]}
    except Exception:
        NeedsImport.objects.filter(pk=job.pk).update(
            state=NeedsImport.State.FAILED, finished_at=timezone.now(),
            report={"errors": [{"row": 0, "field": "", "message": _(
                "the import stopped on an unexpected error; the team has been told")}]})
        raise
    NeedsImport.objects.filter(pk=job.pk).update(state=state, report=result,
                                                 finished_at=timezone.now())
    job.refresh_from_db()
    return job
