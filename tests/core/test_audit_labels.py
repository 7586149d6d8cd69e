"""Humane labels in the audit list (issue 15, observation 7: the back office showed
"delivery.scheduled" and "distribution.delivery 11")."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import timezone, translation

import ksbb
from ksbb.core.audit_labels import ACTION_LABELS, action_label
from ksbb.distribution.services import delivery_schedule
from tests.distribution.conftest import make_allocation
from tests.donations.conftest import setup_donations

SRC = Path(ksbb.__file__).parent


def _written_codes() -> set[str]:
    """Every action code the sources write: literals (action="x.y", also across lines),
    the f-string families (action=f"delivery.{verb}" with the file's verb="..." values) and
    the admin's and privacy's own."""
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        if "audit_log" not in text and "_audit(" not in text:
            continue
        codes |= set(re.findall(r'\baction\s*=\s*"([a-z_]+\.[a-z_]+)"', text))
        codes |= set(re.findall(r'_audit\(request, obj, "([a-z_]+\.[a-z_]+)"', text))
        codes |= set(re.findall(r'_ACTION\s*=\s*"([a-z_]+\.[a-z_]+)"', text))
        codes |= set(re.findall(r'"(need\.(?:created|updated))"', text))
        for prefix in re.findall(r'\baction\s*=\s*f"([a-z_]+)\.\{verb\}"', text):
            codes |= {f"{prefix}.{verb}" for verb in re.findall(r'\bverb="([a-z_]+)"', text)}
    return codes


def test_every_action_a_service_writes_has_a_label():
    codes = _written_codes()
    assert {"delivery.scheduled", "delivery.dispatched", "pledge.allocated",
            "admin.changed", "privacy.personal_data_viewed"} <= codes
    assert sorted(codes - set(ACTION_LABELS)) == []


def test_labels_are_translated():
    with translation.override("id"):
        assert action_label("delivery.scheduled") == "Pengiriman dijadwalkan"
        assert action_label("round.closed") == "Putaran penilaian ditutup"
    assert action_label("no.such_code") == "no.such_code"


def test_the_back_office_lists_labels_and_names(cast, client_for):  # type: ignore[no-untyped-def]
    don = setup_donations(cast)
    allocation = make_allocation(cast, don, quantity=40)
    delivery = delivery_schedule(allocations=[allocation], executor=cast.executor_org,
                                 scheduled_for=timezone.localdate(), by=cast.assessor)
    body = client_for(cast.assessor).get("/backoffice/").content.decode()
    assert "Delivery scheduled" in body
    assert f"Delivery: #{delivery.pk} -&gt; RW 001, Gambir" in body
    assert "distribution.delivery" not in body
    assert ">delivery.scheduled<" not in body


def test_the_admin_lists_labels_too(cast, client_for):  # type: ignore[no-untyped-def]
    body = client_for(cast.admin).get("/admin/core/auditentry/").content.decode()
    assert "Role granted" in body  # membership.granted, written when the cast was made
    assert "Account created" in body
