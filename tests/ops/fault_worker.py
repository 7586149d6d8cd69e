"""The other process of the crash tests (tests/ops/test_faults.py), run as
``python -m tests.ops.fault_worker <verb> [args]`` against the database named by the
environment (KSBB_DATA_DIR / KSBB_DATABASE_URL). Prints one JSON line.

Verbs: ``prepare`` (a proposed allocation run with fresh received pledges, on top of the
demo data), ``round`` (the same pledges and an open round with needs, no run yet),
``approve RUN_ID`` (approve it as the demo assessor), ``state`` (counts, sums and the audit
chain's verdict), ``counts`` (every table's row count, the audit head and every entry's
hash), ``enqueue_ping`` and ``task_status ID`` (a trivial background task, for the
supervisor test).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Any


def _open_round() -> Any:
    """Fresh received pledges and an open round with needs in a village the demo round does
    not cover; returns the round."""
    from django.utils import timezone

    from ksbb.accounts.models import User
    from ksbb.areas.models import Area
    from ksbb.donations.models import Item
    from ksbb.donations.services import pledge_receive, pledge_submit
    from ksbb.needs.models import AssessmentRound, Recipient
    from ksbb.needs.services import need_set, round_open

    assessor = User.objects.get(username="assessor")
    staff = User.objects.get(username="aggregator")
    donor = User.objects.get(username="collaborator")
    membership = donor.memberships.select_related("organization").first()
    sembako = Item.objects.get(code="sembako")
    aggregator = staff.memberships.select_related("organization").first().organization
    for quantity in (400, 300, 200):
        pledge = pledge_submit(collaborator=membership.organization, aggregator=aggregator,
                               item=sembako, quantity=quantity, by=donor)
        pledge_receive(pledge=pledge, received_quantity=quantity, by=staff)
    # A village the demo round does not cover.
    used = set(AssessmentRound.objects.values_list("needs__recipient__area__parent", flat=True))
    village = (Area.objects.filter(level=Area.Level.VILLAGE, code__startswith="31.")
               .exclude(code__in=used).filter(children__isnull=False).order_by("code").first())
    today = timezone.localdate()
    rnd = round_open(name=f"Pangan {village.name} (crash test)", program=sembako.program,
                     period_start=today, period_end=today + dt.timedelta(days=30), by=assessor)
    for recipient in Recipient.objects.filter(area__parent=village).order_by("pk"):
        need_set(round=rnd, recipient=recipient, item=sembako, quantity=60, priority=1,
                 by=assessor)
    return rnd


def _prepare() -> dict[str, Any]:
    from ksbb.accounts.models import User
    from ksbb.allocation.models import AllocationRun
    from ksbb.allocation.services import run_start
    from ksbb.allocation.tasks import run_execute

    rnd = _open_round()
    assessor = User.objects.get(username="assessor")
    run = run_execute(run_id=run_start(round=rnd, by=assessor).pk)
    assert run.state == AllocationRun.State.PROPOSED, run.error
    return {"run": run.pk, "lines": run.lines.count()}


def _approve(run_id: int) -> dict[str, Any]:
    from ksbb.accounts.models import User
    from ksbb.allocation.models import AllocationRun
    from ksbb.allocation.services import run_approve

    run = run_approve(run=AllocationRun.objects.get(pk=run_id),
                      by=User.objects.get(username="assessor"))
    return {"run": run.pk, "state": run.state, "allocations": run.allocations.count()}


def _state() -> dict[str, Any]:
    from django.db.models import Count, Sum

    from ksbb.allocation.models import Allocation, AllocationRun
    from ksbb.areas.models import Area
    from ksbb.core.audit import audit_head, audit_verify
    from ksbb.donations.models import Pledge
    from ksbb.needs.models import Recipient

    rws = Area.objects.filter(level=Area.Level.RW)
    verdict = audit_verify()
    head = audit_head()
    return {
        "rws": rws.count(),
        "rw_households": rws.aggregate(s=Sum("households"))["s"] or 0,
        "rw_recipients": Recipient.objects.filter(kind=Recipient.Kind.RW).count(),
        # The demo has a second region (Kota Bandung); the crash test imports Jakarta's RWs.
        "jakarta_rws": rws.filter(code__startswith="31.").count(),
        "jakarta_rw_recipients": Recipient.objects.filter(
            kind=Recipient.Kind.RW, area__code__startswith="31.").count(),
        "allocations": Allocation.objects.count(),
        "allocated": Allocation.objects.aggregate(s=Sum("quantity"))["s"] or 0,
        "runs": dict(AllocationRun.objects.values_list("state").annotate(n=Count("pk"))),
        "pledges": dict(Pledge.objects.values_list("state").annotate(n=Count("pk"))),
        "audit_ok": verdict.ok, "audit_problem": verdict.problem,
        "audit_seq": head.seq, "audit_hash": head.hash,
    }


def _counts() -> dict[str, Any]:
    from ksbb.core.audit import audit_verify
    from ksbb.core.models import AuditEntry
    from ksbb.ops.backup import current_snapshot

    snap = current_snapshot()
    return {"counts": snap.counts, "audit_seq": snap.audit_seq, "audit_hash": snap.audit_hash,
            "audit_ok": audit_verify().ok,
            "hashes": dict(AuditEntry.objects.values_list("seq", "hash"))}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksbb.settings")
    import django

    django.setup()
    verb = argv[0]
    if verb == "prepare":
        out = _prepare()
    elif verb == "round":
        out = {"round": _open_round().pk}
    elif verb == "approve":
        out = _approve(int(argv[1]))
    elif verb == "counts":
        out = _counts()
    elif verb == "state":
        out = _state()
    elif verb == "enqueue_ping":
        from tests.ops.tasks_for_tests import ping

        out = {"id": str(ping.enqueue().id)}
    elif verb == "task_status":
        from django_tasks_db.models import DBTaskResult

        out = {"status": DBTaskResult.objects.get(pk=argv[1]).status}
    else:
        raise SystemExit(f"unknown verb {verb}")
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
