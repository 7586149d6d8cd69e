"""A transactional test (``transaction=True``, ``live_server``) ends with a flush, which
empties every table, the rows the data migrations made included. pytest-django runs these
tests after all the others, so each one after the first started from that empty database,
unlike a real installation or the same test run alone: order-dependent failures of this kind
broke CI twice. The conftest hook puts those rows back after every flush."""

from __future__ import annotations

import pytest

from ksbb.donations.models import Program
from ksbb.regions.models import Region


def _as_migrated() -> bool:
    return (Program.objects.filter(region__isnull=True).exists()
            and Region.objects.filter(is_default=True).exists())


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_finds_the_installation_as_migrated() -> None:
    assert _as_migrated()


@pytest.mark.django_db(transaction=True)
def test_so_does_the_next_one_after_the_flush() -> None:
    assert _as_migrated()
