import pytest
from django.core.management import call_command

from ksbb.accounts.models import Role, User
from ksbb.areas.models import Area
from ksbb.needs.models import Recipient
from ksbb.ops.demo import demo_accounts, seed_demo

pytestmark = pytest.mark.django_db


def test_demo_generates_jakartas_rws_and_one_account_per_role(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    call_command("load_areas", province=["31"], no_progress=True)
    accounts = seed_demo("31", second_region=False)
    rws = Area.objects.filter(level=Area.Level.RW)
    assert rws.count() == 2705
    assert not rws.filter(is_demo=False).exists()
    assert rws.values("parent").distinct().count() == 267
    assert Recipient.objects.filter(kind="rw").count() == 2705
    roles = {m.role for u in User.objects.all() for m in u.memberships.all()}
    assert roles == set(Role.values)
    assert [a.username for a in demo_accounts()] == [a.username for a in accounts]
    assert (tmp_path / "demo-accounts.tsv").stat().st_mode & 0o077 == 0
    for account in accounts:
        assert User.objects.get(username=account.username).check_password(account.password)


def test_demo_runs_the_whole_flow_once(settings, tmp_path):
    from ksbb.core.audit import audit_verify
    from ksbb.distribution.models import Delivery, Handover
    from ksbb.donations.models import Item, Pledge
    from ksbb.stats.selectors import Filters, dashboard

    settings.DATA_DIR = tmp_path
    call_command("load_areas", province=["31"], no_progress=True)
    seed_demo("31")
    assert Pledge.objects.filter(state=Pledge.State.ALLOCATED).exists()
    signed = Handover.objects.filter(state=Handover.State.SIGNED)
    assert signed.filter(receiver_confirmed_at__isnull=False).count() == 1  # in the app
    # The rest signed on paper: 28 in Jakarta, 5 in Kota Bandung (the second region).
    assert signed.filter(area__code__startswith="31.").count() == 28
    assert signed.filter(area__code__startswith="32.73.").count() == 5
    assert Delivery.objects.filter(state=Delivery.State.SCHEDULED).exists()
    # Jakarta's page tells the published story; Bandung's its own; the nation both.
    bandung = dashboard(Filters(region="32.73"))
    assert bandung.deliveries == 5 and bandung.packages_delivered > 0
    assert bandung.total_collected == (180 + 120 + 60 + 90) * Item.objects.get(
        code="sembako").value_rupiah
    from ksbb.stats.regional import national

    whole = national()
    assert [r.code for r in whole.regions] == ["31", "32.73"]
    assert whole.deliveries == dashboard(Filters(region="31")).deliveries + 5
    data = dashboard(Filters(region="31"))
    assert data.total_collected > 0 and data.packages_delivered > 0
    assert {s.key for s in data.by_collaborator_kind} == {
        "social_org", "business", "individual", "community", "government"}
    # The story KSBB published in mid-July 2020, within a point.
    assert abs(data.total_collected - 15_000_000_000) < 150_000_000

    def near(shares, expected):  # type: ignore[no-untyped-def]
        got = {s.key: s.percent for s in shares}
        return all(abs(got.get(k, 0) - v) <= 1 for k, v in expected.items())

    assert near(data.delivered_by_regency, {"31.74": 32, "31.75": 21, "31.72": 16,
                                            "31.71": 15, "31.73": 14, "31.01": 2})
    assert near(data.by_recipient_kind, {"rw": 85})
    sembako = Item.objects.get(code="sembako")
    assert near(data.by_item, {str(sembako.pk): 90})
    assert near(data.collaborators_by_kind, {"social_org": 51, "business": 31,
                                             "individual": 9, "community": 5,
                                             "government": 4})
    assert len(data.weekly) >= 8 and len(data.weekly_delivered) >= 8
    assert audit_verify().ok


def test_demo_has_household_lists_and_handouts(settings, tmp_path):
    from ksbb.households.models import Handout, Household

    settings.DATA_DIR = tmp_path
    call_command("load_areas", province=["31"], no_progress=True)
    seed_demo("31", second_region=False)
    assert Household.objects.values("rw").distinct().count() == 3
    assert Household.objects.filter(duplicate_kk=True).count() == 2
    assert Handout.objects.count() >= 20
