"""Writes for the ideas forum. Keyword arguments, one transaction, the actor checked with
the rules in forum/rules.py, one audit entry per change; a refusal raises one of
ksbb.core.domain's (NotAllowed, WrongState, Invalid) and changes nothing."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.accounts.models import User
from ksbb.accounts.services import user_create
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, WrongState, may
from ksbb.donations.models import Program
from ksbb.forum.models import Idea, Support

TITLE_MAX = 200
BODY_MAX = 10_000
# Supporting is possible while the government has not decided.
SUPPORTABLE = (Idea.Status.OPEN, Idea.Status.UNDER_REVIEW)
# An adoption or a refusal must say why.
NEEDS_ANSWER = (Idea.Status.ADOPTED, Idea.Status.DECLINED)


def _lock(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().get(pk=idea.pk)


def idea_post(*, title: str, body: str, by: Actor, program: Program | None = None) -> Idea:
    if not may(by, "forum.add_idea"):
        raise NotAllowed(_("sign in to propose an idea"))
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("the title is required")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("at most %(n)s characters") % {"n": TITLE_MAX}]
    if not body:
        errors["body"] = [_("describe your idea")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("at most %(n)s characters") % {"n": BODY_MAX}]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        idea = Idea.objects.create(title=title, body=body, author=by, program=program)
        audit_log(actor=by, action="idea.posted", obj=idea, before=None, after={
            "title": title, "program": program.code if program else None,
            "status": idea.status})
    return idea


def idea_support(*, idea: Idea, by: Actor) -> Idea:
    """Add the actor's vote. One vote per account: supporting again changes nothing."""
    if not may(by, "forum.support_idea", idea):
        raise NotAllowed(_("sign in to support an idea"))
    with transaction.atomic():
        idea = _lock(idea)
        if idea.status not in SUPPORTABLE:
            raise WrongState(_("this idea has been answered (%(status)s); it cannot be supported "
                            "any more") % {"status": idea.get_status_display()})
        if Support.objects.filter(idea=idea, user=by).exists():
            return idea
        try:
            # The row lock on the idea serialises concurrent votes; the unique constraint
            # is the last line of defence.
            with transaction.atomic():
                Support.objects.create(idea=idea, user=by)
        except IntegrityError:
            return idea
        count = idea.supports.count()
        audit_log(actor=by, action="idea.supported", obj=idea,
                  before={"supports": count - 1}, after={"supports": count})
    return idea


def idea_unsupport(*, idea: Idea, by: Actor) -> Idea:
    """Withdraw the actor's vote; withdrawing a vote never given changes nothing."""
    if not may(by, "forum.support_idea", idea):
        raise NotAllowed(_("sign in to support an idea"))
    with transaction.atomic():
        idea = _lock(idea)
        if idea.status not in SUPPORTABLE:
            raise WrongState(_("this idea has been answered (%(status)s); its support is final")
                    % {"status": idea.get_status_display()})
        deleted, _rows = Support.objects.filter(idea=idea, user=by).delete()
        if deleted:
            count = idea.supports.count()
            audit_log(actor=by, action="idea.unsupported", obj=idea,
                      before={"supports": count + 1}, after={"supports": count})
    return idea


def idea_answer(*, idea: Idea, status: str, answer: str, by: Actor) -> Idea:
    """An officer (assessor, platform administrator) sets the status and answers."""
    if not may(by, "forum.answer_idea", idea):
        raise NotAllowed(_("only the government can answer ideas"))
    if status not in Idea.Status.values:
        raise Invalid(_("%(status)r is not an idea status") % {"status": status}, field="status")
    answer = (answer or "").strip()
    if status in NEEDS_ANSWER and not answer:
        raise Invalid(_("explain the decision to the citizens"), field="answer")
    if len(answer) > BODY_MAX:
        raise Invalid(_("at most %(n)s characters") % {"n": BODY_MAX}, field="answer")
    with transaction.atomic():
        idea = _lock(idea)
        before = {"status": idea.status, "answer": idea.answer}
        idea.status, idea.answer = status, answer
        idea.answered_by, idea.answered_at = by, timezone.now()
        idea.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit_log(actor=by, action="idea.answered", obj=idea, before=before,
                  after={"status": status, "answer": answer})
    return idea


def citizen_register(*, username: str, email: str, password: str) -> User:
    """A plain citizen account: a user with no membership, who can propose and support
    ideas. Registers themself (the audit log names "self-registration")."""
    username, email = (username or "").strip(), (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("the user name is required")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("this user name is taken")]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("enter a valid e-mail address")]
    try:
        password_validation.validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise Invalid(errors)
    try:
        return user_create(username=username, password=password, email=email,
                           by="self-registration")
    except ValidationError as exc:  # e.g. characters a user name may not contain
        raise Invalid(exc.message_dict if hasattr(exc, "error_dict")
                      else {"username": exc.messages}) from exc
