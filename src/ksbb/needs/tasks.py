"""The background side of needs imports (django-tasks; the database backend in production):
queue an uploaded file (:func:`needs_import_start`) and process it (the task).

Here rather than in services.py so that services do not import the task that imports them.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, WrongState, is_user, require
from ksbb.donations.models import Item
from ksbb.needs.models import AssessmentRound, NeedsImport, Recipient
from ksbb.needs.services import POVERTY_COLUMNS, item_check, needs_import_run, round_is_open


@task()
def needs_import_task(import_id: int) -> dict[str, Any]:
    """Process one stored NeedsImport; progress and report are written to its row."""
    job = needs_import_run(import_id=import_id)
    return {"import": job.pk, "state": job.state}


def needs_import_start(
    *, round: AssessmentRound, file: Any, by: Actor, kind: str = NeedsImport.Kind.NEEDS,
    item: Item | str = "", per_poor_household: int = 1, health_file: Any = None,
) -> NeedsImport:
    """Store the uploaded file and queue the background task once the row is committed."""
    require(by, "needs.set_need", round)
    if not is_user(by):
        raise ValueError("a background import needs a user to run as")
    if not round_is_open(round):
        raise WrongState(_("the round %(name)s is closed") % {"name": round.name},
                         field="round")
    found: Item | None = None
    if kind == NeedsImport.Kind.POVERTY:
        found, item_error = item_check(item, round)
        if item_error:
            raise Invalid(item_error, field="item")
    with transaction.atomic():
        job = NeedsImport(round=round, kind=kind, created_by=by, item=found,
                          per_poor_household=per_poor_household)
        job.file.save(getattr(file, "name", "needs.csv"), file, save=False)
        if health_file:
            job.health_file.save(getattr(health_file, "name", "health.csv"), health_file,
                                 save=False)
        job.save()
        audit_log(actor=by, action="needs_import.queued", obj=job, after={
            "round": round.pk, "kind": kind, "file": job.file.name})
        transaction.on_commit(lambda: needs_import_task.enqueue(job.pk))
    return job


def needs_derive_start_from_areas(
    *, round: AssessmentRound, by: Actor, item: Item | str,
    per_poor_household: int = 1, health_file: Any = None,
) -> NeedsImport:
    """Derive needs from the poor households per RW already in the system (loaded with the
    RWs, issue 15), instead of an uploaded file: the figures are written to the import's
    file, so the job shows and keeps exactly what it used, and run as any derivation."""
    require(by, "needs.set_need", round)
    rows = (Recipient.objects.filter(kind=Recipient.Kind.RW, area__poor_households__isnull=False)
            .order_by("area_id").values_list("area_id", "area__poor_households"))
    lines = [",".join(POVERTY_COLUMNS)] + [f"{code},{poor}" for code, poor in rows]
    if len(lines) == 1:
        raise Invalid(_("no RW has a figure of poor households yet; upload a file instead"),
                      field="file")
    content = ContentFile(("\n".join(lines) + "\n").encode(),
                          name="poor-households-per-rw.csv")
    return needs_import_start(round=round, file=content, by=by, kind=NeedsImport.Kind.POVERTY,
                              item=item, per_poor_household=per_poor_household,
                              health_file=health_file)
