"""Writes for the ideas forum. Keyword arguments, one transaction, the actor checked with
the rules in forum/rules.py, one audit entry per change; a refusal raises one of
ksbb.core.domain's (NotAllowed, WrongState, Invalid) and changes nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ksbb.accounts.models import User
from ksbb.accounts.services import (
    SELF_REGISTRATION,
    email_confirmation_send,
    email_taken_notice_send,
    password_hash,
    user_create,
)
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, WrongState, may
from ksbb.core.ratelimit import take
from ksbb.donations.models import Program
from ksbb.forum.models import Idea, Support
from ksbb.regions.models import Region

TITLE_MAX = 200
BODY_MAX = 10_000
# Supporting is possible while the government has not decided.
SUPPORTABLE = (Idea.Status.OPEN, Idea.Status.UNDER_REVIEW)
# An adoption or a refusal must say why.
NEEDS_ANSWER = (Idea.Status.ADOPTED, Idea.Status.DECLINED)


def _lock(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().get(pk=idea.pk)


def idea_post(*, title: str, body: str, by: Actor, program: Program | None = None,
              region: Region | None = None) -> Idea:
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
        # The region whose government answers it; without one, the default region's.
        idea = Idea.objects.create(title=title, body=body, author=by, program=program,
                                   region=region)
        after = {"title": title, "program": program.code if program else None,
                 "status": idea.status}
        if region is not None:
            after["region"] = region.code
        audit_log(actor=by, action="idea.posted", obj=idea, before=None, after=after)
    return idea


def idea_support(*, idea: Idea, by: Actor) -> Idea:
    """Add the actor's vote. One vote per confirmed account, never for one's own idea, and
    at most KSBB_SUPPORT_RATE votes per account: supporting again changes nothing."""
    from django.conf import settings

    if not may(by, "forum.add_idea"):
        raise NotAllowed(_("sign in to support an idea"))
    if by.confirmed_at is None:
        raise NotAllowed(_("confirm your e-mail address first (open the link we sent you); "
                        "then you can support ideas"))
    if idea.author_id == by.pk:
        raise NotAllowed(_("you cannot support your own idea"))
    if not may(by, "forum.support_idea", idea):
        raise NotAllowed(_("sign in to support an idea"))
    if not take("forum-support", str(by.pk), settings.KSBB_SUPPORT_RATE).allowed:
        raise Invalid(_("you have supported many ideas in a short time; try again later"))
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
    if not may(by, "forum.add_idea"):
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


def citizen_register(*, email: str, password: str, name: str = "") -> User | None:
    """A plain citizen account (no membership: it can propose and support ideas once its
    e-mail address is confirmed). Its user name is the e-mail address.

    An address that has an account already gets a notice by e-mail instead, and the caller
    answers exactly as for a new account, so that the page does not tell strangers who is
    registered; the password is hashed either way, so that the time taken does not tell
    either. Returns the new user, or None for a known address.
    """
    from django.core.validators import validate_email
    from django.db.models import Q

    email, name = (email or "").strip().lower(), (name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("enter a valid e-mail address")]
    if len(name) > 200:
        errors["name"] = [_("at most %(n)s characters") % {"n": 200}]
    hashed = ""
    try:
        hashed = password_hash(password, user=User(username=email, email=email,
                                                   full_name=name))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise Invalid(errors)
    if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        email_taken_notice_send(email=email)
        return None
    try:
        user = user_create(username=email, password=None, hashed_password=hashed, email=email,
                           full_name=name, by=SELF_REGISTRATION)
    except ValidationError as exc:
        if "username" in getattr(exc, "error_dict", {}):  # registered a moment ago
            email_taken_notice_send(email=email)
            return None
        raise Invalid(exc.message_dict if hasattr(exc, "error_dict")
                         else {"email": exc.messages}) from exc
    email_confirmation_send(user=user)
    return user
