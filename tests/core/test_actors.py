"""No string actors: a service is asked by a user or a SystemActor, never by a name typed
in by hand ("test", "cli:load_areas"), which no permission rule and no audit entry can
trust. A bare string is refused and nothing is written; and no call in the source passes
one (read from the code, so a new one fails here before it reaches a service)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from ksbb.accounts.models import Organization, User
from ksbb.accounts.services import organization_create, user_create
from ksbb.core.audit import audit_log
from ksbb.core.domain import SystemActor
from ksbb.core.models import AuditEntry
from ksbb.donations.models import Item
from ksbb.needs.services import round_open
from ksbb.proofs.services import key_rotate
from ksbb.stats.boundaries import boundaries_load_shipped

ROOT = Path(__file__).resolve().parents[2]


def test_audit_log_refuses_a_string_actor(db):  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match="SystemActor"):
        audit_log(actor="test", action="thing.changed", object_type="t", object_id="1")
    assert not AuditEntry.objects.exists()
    entry = audit_log(actor=SystemActor("test"), action="thing.changed", object_type="t",
                      object_id="1")
    assert entry.actor_label == "system:test" and entry.actor is None


@pytest.mark.parametrize("call", [
    lambda: user_create(username="someone", password=None, by="test"),
    lambda: organization_create(kind=Organization.Kind.GOVERNMENT, name="Dinas", by="test"),
    lambda: boundaries_load_shipped(provinces=["31"], by="cli:load_areas"),
    lambda: key_rotate(by="system:ksbb proofs rotate-key"),
], ids=["user_create", "organization_create", "boundaries_load_shipped", "key_rotate"])
def test_services_that_trust_their_caller_refuse_a_string(cast, call):  # type: ignore[no-untyped-def]
    users, orgs, entries = User.objects.count(), Organization.objects.count(), \
        AuditEntry.objects.count()
    with pytest.raises(TypeError):
        call()
    assert (User.objects.count(), Organization.objects.count(),
            AuditEntry.objects.count()) == (users, orgs, entries)


def test_services_that_check_a_role_refuse_a_string(cast):  # type: ignore[no-untyped-def]
    program = Item.objects.get(code="sembako").program
    with pytest.raises(PermissionDenied):
        round_open(name="Putaran", program=program, period_start=dt.date(2026, 1, 1),
                   period_end=dt.date(2026, 1, 31), by="assessor")


def _is_text(value: ast.expr) -> bool:
    """A string literal, an f-string, or ``x or "label"``."""
    if isinstance(value, ast.BoolOp):
        return any(_is_text(v) for v in value.values)
    return isinstance(value, ast.JoinedStr) or (
        isinstance(value, ast.Constant) and isinstance(value.value, str))


def _string_actors(path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call)
            for kw in node.keywords if kw.arg in {"by", "actor"} and _is_text(kw.value)]


def test_no_call_passes_a_string_as_the_actor() -> None:
    this = Path(__file__).resolve()
    found = [hit for folder in ("src", "tests", "bench") for path in (ROOT / folder).rglob("*.py")
             if path.resolve() != this for hit in _string_actors(path)]
    assert not found, "string actors (use a user or SystemActor):\n" + "\n".join(found)
