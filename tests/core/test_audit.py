import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from ksbb.core.audit import GENESIS_HASH, audit_head, audit_log, audit_verify
from ksbb.core.domain import SystemActor
from ksbb.core.models import AuditEntry, AuditLogImmutable
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db


def _write(n: int) -> list[AuditEntry]:
    return [
        audit_log(actor=SystemActor("test"), action="thing.changed", object_type="test.thing",
                  object_id=str(i), before={"state": "a"}, after={"state": "b", "n": i})
        for i in range(n)
    ]


def test_entries_are_chained_without_gaps():
    entries = _write(3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash
    assert audit_head().seq == 3 and audit_head().hash == entries[2].hash
    assert audit_verify().ok


def test_application_refuses_update_and_delete():
    entry = _write(1)[0]
    entry.action = "rewritten"
    with pytest.raises(AuditLogImmutable):
        entry.save()
    with pytest.raises(AuditLogImmutable):
        entry.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(seq=1).update(action="x")
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.all().delete()


def _tamper(sql: str, params: list) -> None:
    """What someone with direct database access could do (after dropping the trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER ksbb_audit_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER ksbb_audit_append_only")


def test_verify_names_a_changed_entry(capsys):
    _write(5)
    _tamper("UPDATE core_auditentry SET after = %s WHERE seq = 3", ['{"state": "forged"}'])
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 3
    with pytest.raises(CommandError, match="BROKEN at entry #3") as exc:
        call_command("audit", "verify")
    # run_from_argv turns a CommandError into this exit status.
    assert exc.value.returncode == 1


def test_verify_names_a_removed_entry():
    _write(4)
    _tamper("DELETE FROM core_auditentry WHERE seq = 2", [])
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 2


def test_verify_and_head_commands(capsys):
    _write(2)
    call_command("audit", "verify")
    assert "OK: 2 entries" in capsys.readouterr().out
    call_command("audit", "head")
    assert capsys.readouterr().out.strip() == f"2 {audit_head().hash}"


@pytest.mark.postgres_only
def test_postgres_trigger_refuses_raw_update_and_delete():
    _write(1)
    for sql in ("UPDATE core_auditentry SET action = 'x'", "DELETE FROM core_auditentry"):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_the_log_names_users_by_id_only(db):  # type: ignore[no-untyped-def]
    """A username can be an e-mail address; the log is never rewritten, so it must not hold
    one (an erased donor would stay in it)."""
    from ksbb.accounts.services import user_create
    from ksbb.core.audit import actor_name, audit_log
    from ksbb.core.models import AuditEntry

    donor = user_create(username="siti@example.com", password="correct-horse-battery-9",
                        by=SETUP, full_name="Siti")
    audit_log(actor=donor, action="test.done", obj=donor)
    entry = AuditEntry.objects.filter(action="test.done").get()
    assert entry.actor_label == f"user:{donor.pk}" and entry.actor == donor
    assert "example.com" not in entry.actor_label
    assert actor_name(entry) == str(donor)
