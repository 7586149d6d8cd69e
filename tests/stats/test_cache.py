"""The dashboard is cached per filters and language, and recomputed after a change."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_save
from django.utils import translation

from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_receive, pledge_submit
from ksbb.stats.selectors import Filters, dashboard, stats_invalidate
from tests.donations.conftest import setup_donations

pytestmark = pytest.mark.django_db


def test_cache_hit_returns_the_same_figures_with_one_query(may_2021, django_assert_num_queries):  # type: ignore[no-untyped-def]
    first = dashboard()
    with django_assert_num_queries(1):  # the generation only
        again = dashboard()
    assert again == first
    # A change that bypasses the signals is not seen until someone invalidates.
    Pledge.objects.update(received_amount=1)
    assert dashboard().total_collected == first.total_collected
    stats_invalidate()
    assert dashboard().total_collected == Pledge.objects.count()


def test_filters_and_languages_have_their_own_entries(may_2021):  # type: ignore[no-untyped-def]
    assert dashboard(Filters(regency="31.01")).total_collected == 2_000_000
    assert dashboard().total_collected == 100_000_000
    with translation.override("id"):
        labels = [s.label for s in dashboard().by_collaborator_kind]
    assert labels != [s.label for s in dashboard().by_collaborator_kind]


def test_a_new_received_pledge_invalidates(cast):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    assert dashboard().total_collected == 0
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           program=don.pangan, amount=1_000_000, by=cast.collaborator)
    assert dashboard().total_collected == 0  # submitted: not collected yet
    pledge_receive(pledge=pledge, received_amount=750_000, by=cast.aggregator)
    d = dashboard()
    assert d.total_collected == 750_000
    assert d.collaborators == 1
    assert [(s.key, s.percent) for s in d.by_collaborator_kind] == [("business", 100.0)]


def test_signal_receivers_are_connected_for_pledges_and_purchases():  # type: ignore[no-untyped-def]
    from ksbb.donations.models import Purchase

    for model in (Pledge, Purchase):
        assert post_save.has_listeners(model)


def test_the_generation_lives_in_the_database_for_every_process(may_2021):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from ksbb.stats.models import Generation

    before = Generation.objects.get().value
    dashboard()
    cache.clear()  # another process: its own cache, the same database
    stats_invalidate()
    assert Generation.objects.get().value == before + 1
    Generation.objects.all().delete()
    stats_invalidate()
    assert Generation.objects.get().value == 1


def test_a_purchase_invalidates(cast):  # type: ignore[no-untyped-def]
    from ksbb.donations.services import purchase_record

    don = setup_donations(cast)
    pledge = pledge_submit(collaborator=cast.collaborator_org, aggregator=cast.aggregator_org,
                           program=don.pangan, amount=1_000_000, by=cast.collaborator)
    pledge_receive(pledge=pledge, received_amount=1_000_000, by=cast.aggregator)
    assert [(s.key, s.value) for s in dashboard().by_item] == [("money", 1_000_000)]
    purchase_record(aggregator=cast.aggregator_org, item=don.sembako, quantity=2,
                    cost_rupiah=600_000, supplier="Toko Beras", funding=[(pledge, 600_000)],
                    by=cast.aggregator)
    assert [(s.key, s.value) for s in dashboard().by_item] == [
        (str(don.sembako.pk), 600_000), ("money", 400_000)]


def test_a_rolled_back_change_leaves_the_generation(may_2021):  # type: ignore[no-untyped-def]
    from django.db import transaction

    from ksbb.stats.models import Generation

    before = Generation.objects.get().value
    with pytest.raises(RuntimeError), transaction.atomic():
        Pledge.objects.first().save()
        raise RuntimeError
    assert Generation.objects.get().value == before
