"""A transactional test (``transaction=True``, ``live_server``) ends with a flush, which
empties every table, the rows the data migrations made included. The tests after it must
still find the installation as migrated (the standard programmes, the default region), as
they do when run alone: order-dependent failures of this kind broke CI twice."""

from __future__ import annotations

import pytest

from ksbb.donations.models import Program
from ksbb.regions.models import Region


def _as_migrated() -> bool:
    return (Program.objects.filter(region__isnull=True).exists()
            and Region.objects.filter(is_default=True).exists())


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_starts_from_the_installation_as_migrated() -> None:
    assert _as_migrated()


@pytest.mark.django_db
def test_a_test_after_a_flush_finds_the_installation_as_migrated() -> None:
    assert _as_migrated()


@pytest.mark.django_db(transaction=True)
def test_so_does_a_transactional_one() -> None:
    assert _as_migrated()
