"""The shared vocabulary of the domain services: actors, ``may`` and refusals, and how the
API's one exception handler answers each refusal."""

from __future__ import annotations

import pickle

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from rest_framework.exceptions import ValidationError as ApiValidationError

from ksbb.api.errors import exception_handler
from ksbb.core.audit import audit_log
from ksbb.core.domain import (
    Invalid,
    Invisible,
    NotAllowed,
    Refusal,
    SystemActor,
    WrongState,
    may,
)


def test_system_actor_is_named_and_labelled_in_the_audit_log(db: None) -> None:
    actor = SystemActor("load_areas")
    assert str(actor) == "system:load_areas" and actor == SystemActor("load_areas")
    entry = audit_log(actor=actor, action="test.done", object_type="x", object_id="1")
    assert entry.actor_label == "system:load_areas" and entry.actor is None
    with pytest.raises(ValueError):
        SystemActor(" ")


def test_may_asks_the_role_rule_without_a_superuser_shortcut(cast) -> None:  # type: ignore[no-untyped-def]
    cast.admin.is_superuser = True
    assert cast.admin.has_perm("needs.set_need")  # Django's shortcut...
    assert not may(cast.admin, "needs.set_need")  # ...is not ours
    assert may(cast.assessor, "needs.set_need")
    cast.assessor.is_active = False
    assert not may(cast.assessor, "needs.set_need")
    assert not may(None, "needs.set_need") and not may(AnonymousUser(), "needs.set_need")
    assert not may("system", "needs.set_need")  # a bare label is nobody
    assert not may(SystemActor("demo"), "needs.set_need")
    assert may(SystemActor("demo"), "needs.set_need", system=True)


def test_refusals_name_their_field_and_are_validation_errors() -> None:
    exc = Invalid("enter a number", field="quantity")
    assert isinstance(exc, Refusal) and isinstance(exc, ValidationError)
    assert exc.message_dict == {"quantity": ["enter a number"]}
    assert exc.field == "quantity" and exc.text == "enter a number"
    assert WrongState("closed").message_dict == {NON_FIELD_ERRORS: ["closed"]}
    assert isinstance(NotAllowed("no"), PermissionDenied)
    assert isinstance(Invisible("no"), NotAllowed)
    again = pickle.loads(pickle.dumps(exc))  # noqa: S301 (our own bytes)
    assert type(again) is Invalid and again.message_dict == exc.message_dict


@pytest.mark.parametrize(("exc", "status", "body"), [
    (NotAllowed("only an assessor"), 403, {"detail": "only an assessor"}),
    (Invisible("hidden"), 404, None),
    (WrongState("the round is closed", field="round"), 400,
     {"round": ["the round is closed"]}),
    (Invalid("give a reason"), 400, {"non_field_errors": ["give a reason"]}),
    (ValidationError({"name": ["required"]}), 400, {"name": ["required"]}),
    (ValidationError("plain"), 400, {"non_field_errors": ["plain"]}),
    (PermissionDenied(), 403, None),
    (ApiValidationError({"x": ["y"]}), 400, {"x": ["y"]}),
])
def test_one_handler_maps_refusals_to_status_codes(exc, status, body) -> None:  # type: ignore[no-untyped-def]
    response = exception_handler(exc, {})
    assert response is not None and response.status_code == status
    if body is not None:
        assert response.data == body


def test_a_refusal_can_name_several_fields() -> None:
    exc = Invalid({"photos": ["not a JPEG", "too big"], None: ["try again"]})
    assert exc.message_dict == {"photos": ["not a JPEG", "too big"],
                                NON_FIELD_ERRORS: ["try again"]}
    assert pickle.loads(pickle.dumps(exc))  # noqa: S301 (our own bytes).message_dict == exc.message_dict
