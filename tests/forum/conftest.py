"""Forum fixtures: a citizen account (no membership) besides the shared cast."""

from __future__ import annotations

import pytest

from ksbb.accounts.models import User
from ksbb.forum.models import Idea
from ksbb.forum.services import citizen_register, idea_post
from tests.conftest import PASSWORD


@pytest.fixture
def citizen(db: None) -> User:
    return citizen_register(username="warga", email="warga@example.org", password=PASSWORD)


@pytest.fixture
def idea(cast, citizen) -> Idea:  # type: ignore[no-untyped-def]
    return idea_post(title="Urban farming di RPTRA", body="Kebun sayur di setiap RPTRA.",
                     program=None, by=citizen)
