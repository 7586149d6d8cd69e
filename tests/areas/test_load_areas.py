import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ksbb.areas.models import Area
from ksbb.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _counts() -> dict[int, int]:
    return {level: Area.objects.filter(level=level).count() for level in Area.Level.values}


def test_jakarta_counts_and_tree():
    call_command("load_areas", province=["31"], no_progress=True)
    assert _counts() == {1: 1, 2: 6, 3: 44, 4: 267, 5: 0}
    village = Area.objects.select_related("parent__parent__parent").get(code="31.71.01.1001")
    assert village.parent.code == "31.71.01"
    assert village.parent.parent.parent.code == "31"
    assert village.parent.parent.name == "Kota Administrasi Jakarta Pusat"


@pytest.mark.slow
def test_whole_country_loads_and_a_second_run_changes_nothing(capsys):
    call_command("load_areas", no_progress=True)
    assert _counts() == {1: 38, 2: 514, 3: 7285, 4: 83762, 5: 0}
    first_out = capsys.readouterr().out
    assert "91599 created" in first_out
    audit_before = AuditEntry.objects.count()
    snapshot = list(Area.objects.order_by("code").values_list("code", "name", "parent_id")[:2000])
    call_command("load_areas", no_progress=True)
    assert "0 created, 0 updated, 91599 unchanged" in capsys.readouterr().out
    assert _counts() == {1: 38, 2: 514, 3: 7285, 4: 83762, 5: 0}
    assert list(Area.objects.order_by("code").values_list("code", "name", "parent_id")[:2000]) \
        == snapshot
    assert AuditEntry.objects.count() == audit_before


def test_a_renamed_area_is_corrected():
    call_command("load_areas", province=["31"], no_progress=True)
    Area.objects.filter(code="31.71").update(name="Wrong")
    call_command("load_areas", province=["31"], no_progress=True)
    assert Area.objects.get(code="31.71").name == "Kota Administrasi Jakarta Pusat"


def test_unknown_province_is_refused():
    with pytest.raises(CommandError, match="unknown province code"):
        call_command("load_areas", province=["99"], no_progress=True)
    assert not Area.objects.exists()


def test_loading_many_provinces_fits_the_audit_id(monkeypatch):
    # Found by bench/national.py on PostgreSQL: all 38 province codes joined are 113
    # characters, and the audit id column holds 100.
    from ksbb.areas import services
    from ksbb.core.domain import SystemActor

    jakarta = services.reference_rows(["31"])
    monkeypatch.setattr(services, "reference_rows", lambda provinces: jakarta)
    codes = [f"{n:02d}" for n in range(11, 49)]
    services.areas_load_reference(by=SystemActor("test"), provinces=codes)
    entry = AuditEntry.objects.get(action="areas.reference_loaded")
    assert len(entry.object_id) <= 100
    assert entry.after["provinces"] == codes
