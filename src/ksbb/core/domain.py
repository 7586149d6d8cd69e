"""The words every domain service speaks: who acts, whether they may, and how a write is
refused.

A service (``<app>/services.py``) looks like this (``ksbb.needs.services.need_set``,
shortened)::

    from ksbb.core.domain import Actor, Invalid, WrongState, require

    def need_set(*, round: AssessmentRound, recipient: Recipient, item: Item,
                 quantity: int, priority: int, by: Actor) -> Need:
        require(by, "needs.set_need", round)       # NotAllowed unless the role rule says so
        if quantity <= 0:
            raise Invalid(_("the quantity must be a whole number above 0"), field="quantity")
        with transaction.atomic():
            rnd = AssessmentRound.objects.select_for_update().get(pk=round.pk)
            if rnd.state != AssessmentRound.State.OPEN:
                raise WrongState(_("the round %(name)s is closed") % {"name": rnd.name},
                                 field="round")
            need = ...
            audit_log(actor=by, action="need.updated", obj=need, before=..., after=...)
        return need

``if not may(by, perm, obj): raise NotAllowed(_("only ... can ..."))`` is the same check
with a message of the service's own.

* **Actor** (``by``): a signed-in :class:`~ksbb.accounts.models.User`, or a
  :class:`SystemActor` naming the command or task that acts (``SystemActor("load_areas")``,
  written to the audit log as ``system:load_areas``). Tests use a real user or a system
  actor too; no service knows about tests.
* **require(actor, perm, obj, view=...)**: ``may`` or a refusal; with ``view`` (the rule
  for seeing ``obj``), an actor who may not even see the object is refused as
  :class:`Invisible` (another organisation's pledge, delivery or BAST), one who sees it but
  may not act as :class:`NotAllowed`.
* **may(actor, perm, obj)**: the django-rules rule ``perm`` (the domain's ``rules.py``) for
  an active user. A superuser gets no shortcut: ``user.has_perm`` lets a superuser through
  everything, ``may`` asks only the role rules, so a platform administrator does not set
  needs or confirm pledges for an aggregator. A system actor may act only where the
  service says so (``may(by, perm, obj, system=True)``).
* **Refusals**: :class:`NotAllowed` (this actor may not; also a Django ``PermissionDenied``
  so a page that does not catch it answers 403), :class:`Invisible` (not allowed, and the
  actor must not learn the object exists), :class:`WrongState` (the object is not in a
  state for this), :class:`Invalid` (bad input). Each names a field (None: the whole
  request) and carries a translated message. They are Django ``ValidationError`` s keyed
  by field, so a form shows them with ``form.add_error(None, exc)`` and the API's one
  exception handler (:func:`ksbb.api.errors.exception_handler`) turns them into
  403 / 404 / 400 with field errors. Several fields at once: ``Invalid({"name": [...],
  "email": [...]})``. A page that shows refusals as form errors lets ``NotAllowed``
  through (re-raise it) so that a wrong actor gets 403, as from the API.

A service changes nothing when it refuses: it checks before it writes, inside its one
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeGuard, overload

import rules
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from ksbb.accounts.models import User


@dataclass(frozen=True)
class SystemActor:
    """A command, task or start-up step acting without a person (``ksbb load_areas``, the
    allocation worker, the demo data). ``name`` says which; the audit log records
    ``system:<name>``."""

    name: str

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise ValueError("a system actor needs a name")

    def __str__(self) -> str:
        return f"system:{self.name}"


#: Who asks a service to act: a user (``request.user``, possibly anonymous) or a system actor.
Actor: TypeAlias = "User | AnonymousUser | SystemActor"


def is_user(actor: Any) -> TypeGuard[User]:
    """An active, signed-in account (not a system actor, not anonymous)."""
    return (getattr(actor, "is_authenticated", False) is True
            and getattr(actor, "is_active", False) is True
            and not isinstance(actor, SystemActor))


@overload
def may(actor: Any, perm: str, obj: Any = None, *,
        system: Literal[False] = False) -> TypeGuard[User]: ...
@overload
def may(actor: Any, perm: str, obj: Any = None, *, system: bool) -> bool: ...
def may(actor: Any, perm: str, obj: Any = None, *, system: bool = False) -> bool:
    """Whether ``actor`` may do ``perm`` on ``obj``: the role rule for an active user (no
    superuser shortcut), ``system`` for a system actor, False for anyone else. Without
    ``system``, a True answer also tells the type checker that ``actor`` is a User."""
    if isinstance(actor, SystemActor):
        return system
    return is_user(actor) and rules.has_perm(perm, actor, obj)


def require(actor: Any, perm: str, obj: Any = None, *, system: bool = False,
            message: str | Promise | None = None, view: str | None = None) -> None:
    """:func:`may`, or :class:`NotAllowed` with ``message`` (default: a general one).

    ``view`` names the rule for seeing ``obj`` (``"donations.view_pledge"``): an actor who
    may not even see it gets :class:`Invisible` instead, whose message says nothing of the
    object (another organisation's pledge is "not found", as in the API's list)."""
    if may(actor, perm, obj, system=system):
        return
    if view is not None and not may(actor, view, obj, system=system):
        raise Invisible(_("Not found."))
    raise NotAllowed(message or _("You are not allowed to do this."))


def require_user(actor: Any, perm: str, obj: Any = None, *,
                 message: str | Promise | None = None, view: str | None = None) -> User:
    """:func:`require` for a step only a person takes (a signature, a confirmation): the
    actor, now known to be a user."""
    require(actor, perm, obj, message=message, view=view)
    if not is_user(actor):  # require() lets only active users through without ``system``
        raise NotAllowed(message or _("You are not allowed to do this."))
    return actor


class Refusal(ValidationError):
    """A service refused a write and changed nothing. ``field`` names the input at fault
    (None: the request as a whole), ``text`` is the translated message; ``message_dict``
    has them as a form or the API reports them. Several fields at once: pass a dict
    ``{field: [message, ...]}`` as the message (``field`` and ``text`` are then None)."""

    def __init__(self, message: str | Promise | Mapping[Any, Any], *,
                 field: str | None = None) -> None:
        if isinstance(message, Mapping):
            super().__init__({k or NON_FIELD_ERRORS: v for k, v in message.items()})
            self.field, self.text = None, None
            return
        super().__init__({field or NON_FIELD_ERRORS: [message]})
        self.field = field
        self.text = message

    def __reduce__(self) -> Any:
        # Exception's default rebuilds from ``args`` (Django's dict), not this signature.
        if self.text is None:
            return (_rebuild, (type(self), self.message_dict, None))
        return (_rebuild, (type(self), self.text, self.field))


def _rebuild(cls: type[Refusal], text: Any, field: str | None) -> Refusal:
    return cls(text, field=field)


class NotAllowed(Refusal, PermissionDenied):
    """This actor may not do this (API: 403)."""


class Invisible(NotAllowed):
    """Not allowed, and the actor must not learn that the object exists (API: 404)."""


class WrongState(Refusal):
    """The object is not in a state that allows this (API: 400)."""


class Invalid(Refusal):
    """The input is wrong: a field is missing, malformed or out of range (API: 400)."""


__all__ = ["Actor", "Invalid", "Invisible", "NotAllowed", "Refusal", "SystemActor",
           "WrongState", "is_user", "may", "require", "require_user"]
