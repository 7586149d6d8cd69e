"""The background side of household imports (django-tasks; the database backend in
production): queue an uploaded file (:func:`household_import_start`) and process it (the
task). Here rather than in services.py so that services do not import the task that imports
them (as ``needs.tasks``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, NotAllowed, is_user, require
from ksbb.households.models import HouseholdImport
from ksbb.households.services import household_import_run
from ksbb.regions.models import Region
from ksbb.regions.selectors import actor_region_keys


@task()
def household_import_task(import_id: int) -> dict[str, Any]:
    """Process one stored HouseholdImport; progress and report are written to its row."""
    job = household_import_run(import_id=import_id)
    return {"import": job.pk, "state": job.state}


def household_import_start(*, file: Any, by: Actor) -> HouseholdImport:
    """Store the uploaded file and queue the background task once the row is committed."""
    require(by, "households.import_list")
    if not is_user(by):
        # The task re-checks the permission as this user; a system actor has no one to run as.
        raise NotAllowed(_("A background import needs a signed-in user to run as."))
    with transaction.atomic():
        # The importer's region (one; a person of several regions imports into the
        # default one's page, their rows still checked against all of theirs).
        keys = [key for key in actor_region_keys(by) if key is not None]
        region = Region.objects.filter(pk=keys[0]).first() if len(keys) == 1 else None
        job = HouseholdImport(created_by=by, region=region)
        job.file.save(getattr(file, "name", "households.csv"), file, save=False)
        job.save()
        audit_log(actor=by, action="household_import.queued", obj=job,
                  after={"file": job.file.name})
        transaction.on_commit(lambda: household_import_task.enqueue(job.pk))
    return job
