"""Who may do what in the ideas forum (see accounts/rules.py). Reading is public."""

from __future__ import annotations

from typing import Any

import rules

from ksbb.accounts.rules import is_government


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


rules.add_perm("forum.add_idea", is_signed_in)
rules.add_perm("forum.support_idea", is_signed_in)
# Officers: the assessor and the platform administrator.
rules.add_perm("forum.answer_idea", is_government)
