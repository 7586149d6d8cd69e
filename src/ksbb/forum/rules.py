"""Who may do what in the ideas forum (see accounts/rules.py). Reading is public."""

from __future__ import annotations

from typing import Any

import rules

from ksbb.accounts.rules import is_government


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


@rules.predicate
def is_confirmed(user: Any) -> bool:
    return getattr(user, "confirmed_at", None) is not None


@rules.predicate
def is_author(user: Any, idea: Any) -> bool:
    return idea is not None and getattr(idea, "author_id", None) == user.pk


rules.add_perm("forum.add_idea", is_signed_in)
# Votes count only from accounts whose e-mail is confirmed (or that an administrator made),
# and never for one's own idea: otherwise a script signing up in a loop stuffs the count.
rules.add_perm("forum.support_idea", is_signed_in & is_confirmed & ~is_author)
# Officers: the assessor and the platform administrator.
rules.add_perm("forum.answer_idea", is_government)
