"""accounts 0003: a representative's recipient moves from a foreign key into needs to a
plain reference, and every representative keeps the recipient it speaks for (both ways)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_user_confirmed_at")]
AFTER = [("accounts", "0003_membership_recipient_reference")]


def _migrate(target):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_representatives_keep_their_recipient(cast):  # type: ignore[no-untyped-def]
    from ksbb.accounts.models import Membership

    expected = dict(Membership.objects.exclude(recipient_id=None).values_list(
        "pk", "recipient_id"))
    assert expected == {cast.ketua_rw.memberships.get().pk: cast.recipient.pk}
    try:
        old = _migrate(BEFORE).get_model("accounts", "Membership")
        assert dict(old.objects.exclude(recipient=None).values_list(
            "pk", "recipient_id")) == expected
    finally:
        new = _migrate(AFTER).get_model("accounts", "Membership")
    assert dict(new.objects.exclude(recipient_id=None).values_list(
        "pk", "recipient_id")) == expected
