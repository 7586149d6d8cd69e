from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ksbb.areas.models import Area
from ksbb.core.models import AuditEntry
from ksbb.needs.models import Recipient
from ksbb.needs.services import institution_register, institution_verify
from tests.conftest import VILLAGE_A

pytestmark = pytest.mark.django_db


def _register(by, **over):  # type: ignore[no-untyped-def]
    values = {"kind": Recipient.Kind.PESANTREN, "name": "Pesantren Al-Ikhlas",
              "area": Area.objects.get(code=VILLAGE_A), "residents": 120, "address": "Jl. A",
              "contact_name": "Ustadz Ali", "contact_phone": "0813", "by": by}
    values.update(over)
    return institution_register(**values)


def test_register_then_verify_is_audited(cast):  # type: ignore[no-untyped-def]
    r = _register(cast.assessor)
    assert r.is_verified is False and r.kind == "pesantren"
    entry = AuditEntry.objects.get(action="recipient.registered", object_id=str(r.pk))
    assert entry.after["name"] == "Pesantren Al-Ikhlas" and entry.before is None
    institution_verify(recipient=r, by=cast.admin)
    r.refresh_from_db()
    assert r.is_verified
    entry = AuditEntry.objects.get(action="recipient.verified", object_id=str(r.pk))
    assert entry.before == {"verified": False} and entry.after == {"verified": True}


def test_register_on_an_rw_is_allowed(cast):  # type: ignore[no-untyped-def]
    r = _register(cast.assessor, area=Area.objects.get(code=f"{VILLAGE_A}.001"))
    assert r.area_id == f"{VILLAGE_A}.001"


@pytest.mark.parametrize("over", [
    {"kind": "rw"}, {"kind": "castle"}, {"name": "  "},
    {"area": "district"}, {"area": "regency"},
])
def test_register_refuses_bad_input(cast, over):  # type: ignore[no-untyped-def]
    if "area" in over:
        code = {"district": "31.71.01", "regency": "31.71"}[over["area"]]
        over = {"area": Area.objects.get(code=code)}
    with pytest.raises(ValidationError):
        _register(cast.assessor, **over)
    assert not Recipient.objects.exclude(kind="rw").exists()


@pytest.mark.parametrize("who", ["aggregator", "executor", "kelurahan", "ketua_rw",
                                 "collaborator", "outsider"])
def test_only_government_registers_and_verifies(cast, who):  # type: ignore[no-untyped-def]
    user = cast.users[who]
    with pytest.raises(PermissionDenied):
        _register(user)
    r = _register(cast.assessor)
    with pytest.raises(PermissionDenied):
        institution_verify(recipient=r, by=user)
    r.refresh_from_db()
    assert not r.is_verified


def test_verify_refuses_rw(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        institution_verify(recipient=cast.recipient, by=cast.assessor)
