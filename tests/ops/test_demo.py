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
    accounts = seed_demo("31")
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
