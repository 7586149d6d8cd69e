"""ksbb purge_personal_data: dry run and real run, idempotent, audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from ksbb.accounts.models import User
from ksbb.accounts.services import user_deactivate
from ksbb.core.audit import audit_verify
from ksbb.core.models import AuditEntry
from ksbb.donations.models import CollaboratorProfile
from ksbb.privacy.services import ANONYMOUS_DONOR
from ksbb.reports.models import MisuseReport, ReportPhoto
from ksbb.reports.services import report_investigate, report_resolve, report_submit, report_triage
from tests.reports.conftest import png

from .conftest import EMAIL, NAME, PHONE

LONG_AGO = timezone.now() - dt.timedelta(days=2000)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def _report(cast, *, resolved_at=None, photos=()):  # type: ignore[no-untyped-def]
    report = report_submit(category="other", area=cast.recipient.area, description="x",
                           by=None, reporter_name=NAME, reporter_email=EMAIL,
                           reporter_phone=PHONE, photos=photos)
    if resolved_at is not None:
        report_triage(report=report, assigned_to=cast.assessor, priority="normal",
                      by=cast.assessor)
        report_investigate(report=report, notes="cek", by=cast.assessor)
        report_resolve(report=report, outcome="unfounded", public_outcome="Tidak terbukti",
                       by=cast.assessor)
        MisuseReport.objects.filter(pk=report.pk).update(resolved_at=resolved_at)
    return MisuseReport.objects.get(pk=report.pk)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def test_purge_dry_run_then_real_then_nothing(cast, donor, settings):
    settings.KSBB_PERSONAL_DATA_RETENTION_DAYS = 1825
    old = _report(cast, resolved_at=LONG_AGO, photos=[png()])
    recent = _report(cast, resolved_at=timezone.now())
    still_open = _report(cast)
    # The donor closed their account long ago (an administrator deactivated it).
    user_deactivate(user=donor.user, by=cast.admin)
    User.objects.filter(pk=donor.user.pk).update(last_login=LONG_AGO, date_joined=LONG_AGO)
    entries = AuditEntry.objects.count()

    out = _run("--dry-run")
    assert ("would erase 1 misuse report contacts, 1 misuse report photos, 1 closed "
            "accounts, 1 donor contacts") in out
    assert MisuseReport.objects.get(pk=old.pk).reporter_email == EMAIL
    assert User.objects.get(pk=donor.user.pk).email == EMAIL
    assert AuditEntry.objects.count() == entries

    out = _run()
    assert "erased 1 misuse report contacts, 1 misuse report photos" in out
    old.refresh_from_db()
    assert (old.reporter_name, old.reporter_email, old.reporter_phone) == ("", "", "")
    assert old.public_outcome == "Tidak terbukti" and not ReportPhoto.objects.filter(
        report=old).exists()
    for kept in (recent, still_open):
        assert MisuseReport.objects.get(pk=kept.pk).reporter_email == EMAIL
    user = User.objects.get(pk=donor.user.pk)
    assert user.email == user.full_name == "" and user.username == f"deleted-{user.pk}"
    profile = CollaboratorProfile.objects.get(pk=donor.profile.pk)
    assert profile.nik == profile.contact_phone == ""
    assert profile.organization.name == ANONYMOUS_DONOR
    entry = AuditEntry.objects.get(action="privacy.purged")
    assert entry.after["report_contacts"] == 1 and entry.after["accounts"] == 1
    assert EMAIL not in str(entry.after)
    assert audit_verify().ok

    # Safe to run again (cron): nothing left, nothing written.
    entries = AuditEntry.objects.count()
    assert "erased 0 misuse report contacts, 0 misuse report photos, 0 closed accounts, " \
           "0 donor contacts" in _run()
    assert AuditEntry.objects.count() == entries


def test_active_accounts_are_never_purged(cast, donor):
    User.objects.filter(pk=donor.user.pk).update(last_login=LONG_AGO, date_joined=LONG_AGO)
    _run()
    assert User.objects.get(pk=donor.user.pk).email == EMAIL


def test_days_option_and_guard(cast):
    recent = _report(cast, resolved_at=timezone.now() - dt.timedelta(days=10))
    assert "erased 0 misuse report contacts" in _run("--days", "30")
    assert "erased 1 misuse report contacts" in _run("--days", "5")
    assert MisuseReport.objects.get(pk=recent.pk).reporter_email == ""
    with pytest.raises(CommandError):
        _run("--days", "0")
