"""Forum fixtures: a citizen account (no membership) besides the shared cast."""

from __future__ import annotations

import pytest

from ksbb.accounts.models import User
from ksbb.forum.models import Idea
from ksbb.forum.services import citizen_register, idea_post
from tests.conftest import PASSWORD


def confirmed_citizen(email: str = "warga@example.org", name: str = "Warga Jakarta") -> User:
    """A citizen who signed up and opened the confirmation link."""
    from ksbb.accounts.services import user_mark_confirmed

    user = citizen_register(email=email, name=name, password=PASSWORD)
    assert user is not None
    return user_mark_confirmed(user=user, by=user)


@pytest.fixture
def citizen(db: None) -> User:
    return confirmed_citizen()


@pytest.fixture
def idea(cast, citizen) -> Idea:  # type: ignore[no-untyped-def]
    return idea_post(title="Urban farming di RPTRA", body="Kebun sayur di setiap RPTRA.",
                     program=None, by=citizen)
