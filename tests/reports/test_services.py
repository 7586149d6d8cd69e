from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ksbb.areas.models import Area
from ksbb.core.audit import audit_verify
from ksbb.core.domain import NotAllowed, Refusal
from ksbb.core.models import AuditEntry
from ksbb.reports.models import MisuseReport, ReportPhoto
from ksbb.reports.photos import MAX_PHOTO_BYTES
from ksbb.reports.selectors import (
    CODE_ALPHABET,
    mask_email,
    mask_name,
    mask_phone,
    reports_visible_to,
)
from ksbb.reports.services import (
    report_investigate,
    report_resolve,
    report_submit,
    report_triage,
)
from ksbb.reports.workdays import add_working_days
from tests.reports.conftest import DESCRIPTION, REPORTER, png

pytestmark = pytest.mark.django_db


def _entries(report: MisuseReport) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="reports.misusereport",
                                          object_id=str(report.pk)).order_by("seq"))


def _submit(**kwargs):  # type: ignore[no-untyped-def]
    data = {"category": "spoiled_goods", "area": Area.objects.get(code="31.71.01.1001"),
            "description": "Beras berkutu", "by": None}
    data.update(kwargs)
    return report_submit(**data)


# Working days -----------------------------------------------------------------------------

def test_due_date_skips_the_weekend():
    friday = dt.date(2026, 11, 27)
    assert friday.weekday() == 4
    # Mon..Fri of the next week are 5 working days, then Mon and Tue.
    assert add_working_days(friday, 7) == dt.date(2026, 12, 8)
    saturday = dt.date(2026, 11, 28)
    assert add_working_days(saturday, 7) == dt.date(2026, 12, 8)
    wednesday = dt.date(2026, 11, 25)
    assert add_working_days(wednesday, 7) == dt.date(2026, 12, 4)


def test_holiday_hook_is_honoured(monkeypatch):
    from ksbb.reports import workdays

    monkeypatch.setattr(workdays, "is_holiday", lambda day: day == dt.date(2026, 12, 1))
    assert workdays.add_working_days(dt.date(2026, 11, 27), 7) == dt.date(2026, 12, 9)


def test_receipt_sets_due_date_seven_working_days_later(cast):
    report = _submit()
    received_on = timezone.localtime(report.received_at).date()
    assert report.due_date == add_working_days(received_on, 7)
    assert (report.due_date - received_on).days >= 9


# Submission -------------------------------------------------------------------------------

def test_anonymous_submission_with_photo(cast, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = _submit(photos=[png("IMG_secret-name.png")], **REPORTER)
    assert report.state == MisuseReport.State.RECEIVED
    assert report.submitted_by is None
    prefix, a, b = report.code.split("-")
    assert prefix == "KSBB" and len(a + b) == 10 and set(a + b) <= set(CODE_ALPHABET)
    photo = ReportPhoto.objects.get(report=report)
    assert photo.file.name.startswith("reports/") and "secret" not in photo.file.name
    assert photo.content_type == "image/png"
    with Image.open(photo.file.path) as img:
        assert img.format == "PNG"
    # The receipt e-mail carries the tracking code.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [REPORTER["reporter_email"]]
    assert report.code in mail.outbox[0].body
    [entry] = _entries(report)
    assert entry.action == "report.received" and entry.actor_label == "anonymous"
    assert entry.after["state"] == "received"
    # No personal data in the append-only log.
    text = str(entry.after) + str(entry.before) + entry.object_repr
    assert REPORTER["reporter_name"] not in text and REPORTER["reporter_email"] not in text
    assert audit_verify().ok


def test_no_email_without_address(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit()
    assert mail.outbox == []


def test_codes_are_unique(cast):
    codes = {_submit().code for _ in range(5)}
    assert len(codes) == 5


def test_text_file_renamed_jpg_is_refused(cast):
    fake = SimpleUploadedFile("photo.jpg", b"just some text, not an image" * 10,
                              content_type="image/jpeg")
    with pytest.raises(Refusal) as exc:
        _submit(photos=[fake])
    assert "photos" in exc.value.message_dict
    assert not MisuseReport.objects.exists()


def test_gif_is_refused(cast):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="GIF")
    with pytest.raises(Refusal) as exc:
        _submit(photos=[SimpleUploadedFile("a.png", buf.getvalue(), "image/png")])
    assert "JPEG, PNG" in exc.value.message_dict["photos"][0]


def test_too_big_file_is_refused(cast):
    big = SimpleUploadedFile("big.png", png().read() + b"\0" * MAX_PHOTO_BYTES, "image/png")
    with pytest.raises(Refusal) as exc:
        _submit(photos=[big])
    assert "5 MB" in exc.value.message_dict["photos"][0]


def test_fourth_photo_is_refused(cast):
    with pytest.raises(Refusal) as exc:
        _submit(photos=[png(), png(), png(), png()])
    assert "at most 3" in exc.value.message_dict["photos"][0]
    _submit(photos=[png(), png(), png()])
    assert ReportPhoto.objects.count() == 3


def test_jpeg_and_webp_are_reencoded(cast):
    files = []
    for fmt in ("JPEG", "WEBP"):
        buf = io.BytesIO()
        Image.new("RGB", (16, 16), (1, 2, 3)).save(buf, format=fmt)
        files.append(SimpleUploadedFile(f"x.{fmt.lower()}", buf.getvalue()))
    report = _submit(photos=files)
    assert sorted(p.content_type for p in report.photos.all()) == ["image/jpeg",
                                                                  "image/webp"]


@pytest.mark.parametrize("field,kwargs", [
    ("category", {"category": "alien_invasion"}),
    ("description", {"description": "   "}),
    ("area", {"area": None}),
    ("reporter_email", {"reporter_email": "not-an-address"}),
])
def test_invalid_submissions_are_refused(cast, field, kwargs):
    with pytest.raises(Refusal) as exc:
        _submit(**kwargs)
    assert field in exc.value.message_dict


def test_organisation_must_be_aggregator_or_executor(cast):
    with pytest.raises(Refusal) as exc:
        _submit(organization=cast.collaborator_org)
    assert "organization" in exc.value.message_dict
    assert _submit(organization=cast.executor_org).organization == cast.executor_org


# Transitions ------------------------------------------------------------------------------

def test_full_lifecycle_with_audit_and_resolution_mail(cast, report,
                                                       django_capture_on_commit_callbacks):
    report = report_triage(report=report, assigned_to=cast.kelurahan, priority="high",
                           by=cast.assessor)
    assert report.state == "triaged" and report.priority == "high"
    report = report_investigate(report=report, notes="Visit RW 001", by=cast.kelurahan)
    assert report.state == "under_investigation"
    with django_capture_on_commit_callbacks(execute=True):
        report = report_resolve(report=report, outcome="founded",
                                public_outcome="The packages were recovered.",
                                by=cast.kelurahan)
    assert report.state == "resolved" and report.outcome == "founded"
    assert report.resolved_at is not None
    entries = _entries(report)
    assert [e.action for e in entries] == ["report.received", "report.triaged",
                                           "report.investigation_started", "report.resolved"]
    assert [e.actor_label for e in entries[1:]] == [
        f"user:{cast.assessor.pk}", f"user:{cast.kelurahan.pk}", f"user:{cast.kelurahan.pk}"]
    assert [e.actor for e in entries[1:]] == [cast.assessor, cast.kelurahan, cast.kelurahan]
    assert entries[1].before["state"] == "received" and entries[1].after["state"] == "triaged"
    assert entries[3].before["state"] == "under_investigation"
    assert entries[3].after == {"state": "resolved", "outcome": "founded"}
    [message] = mail.outbox
    assert report.code in message.body and "The packages were recovered." in message.body
    assert audit_verify().ok


@pytest.mark.parametrize("who", ["kelurahan", "aggregator", "executor", "collaborator",
                                 "outsider", "ketua_rw"])
def test_only_government_triages(cast, report, who):
    with pytest.raises(NotAllowed):
        report_triage(report=report, assigned_to=cast.assessor, priority="normal",
                      by=getattr(cast, who))
    with pytest.raises(NotAllowed):
        report_triage(report=report, assigned_to=cast.assessor, priority="normal", by=None)
    report.refresh_from_db()
    assert report.state == "received"
    assert len(_entries(report)) == 1


def test_admin_triages_too(cast, report):
    assert report_triage(report=report, assigned_to=cast.assessor, priority="low",
                         by=cast.admin).state == "triaged"


def test_assignee_must_cover_the_area(cast, report, other_report):
    for who in (cast.aggregator, cast.collaborator):
        with pytest.raises(Refusal) as exc:
            report_triage(report=report, assigned_to=who, priority="normal", by=cast.assessor)
        assert "assigned_to" in exc.value.message_dict
    # The village A officer cannot take a report from another city.
    with pytest.raises(Refusal):
        report_triage(report=other_report, assigned_to=cast.kelurahan, priority="normal",
                      by=cast.assessor)


def test_wrong_priority(cast, report):
    with pytest.raises(Refusal) as exc:
        report_triage(report=report, assigned_to=cast.assessor, priority="urgent!",
                      by=cast.assessor)
    assert "priority" in exc.value.message_dict


def test_wrong_states_are_refused(cast, report):
    with pytest.raises(Refusal, match="only a triaged report"):
        report_investigate(report=report, notes="x", by=cast.assessor)
    with pytest.raises(Refusal, match="only a report under investigation"):
        report_resolve(report=report, outcome="founded", public_outcome="x", by=cast.assessor)
    report_triage(report=report, assigned_to=cast.kelurahan, priority="normal",
                  by=cast.assessor)
    with pytest.raises(Refusal, match="only a received report"):
        report_triage(report=report, assigned_to=cast.kelurahan, priority="normal",
                      by=cast.assessor)
    report_investigate(report=report, notes="x", by=cast.kelurahan)
    with pytest.raises(Refusal, match="only a triaged report"):
        report_investigate(report=report, notes="x", by=cast.kelurahan)
    report_resolve(report=report, outcome="unfounded", public_outcome="Nothing found.",
                   by=cast.assessor)
    with pytest.raises(Refusal, match="only a report under investigation"):
        report_resolve(report=report, outcome="founded", public_outcome="x", by=cast.assessor)
    report.refresh_from_db()
    assert report.outcome == "unfounded"


def test_unassigned_kelurahan_officer_cannot_investigate(cast, report):
    report_triage(report=report, assigned_to=cast.assessor, priority="normal",
                  by=cast.assessor)
    for who in (cast.kelurahan, cast.aggregator, cast.collaborator):
        with pytest.raises(NotAllowed):
            report_investigate(report=report, notes="x", by=who)
    report_investigate(report=report, notes="x", by=cast.assessor)
    with pytest.raises(NotAllowed):
        report_resolve(report=report, outcome="founded", public_outcome="y", by=cast.kelurahan)


def test_notes_and_outcome_are_required(cast, report):
    report_triage(report=report, assigned_to=cast.assessor, priority="normal",
                  by=cast.assessor)
    with pytest.raises(Refusal) as exc:
        report_investigate(report=report, notes=" ", by=cast.assessor)
    assert "notes" in exc.value.message_dict
    report_investigate(report=report, notes="ok", by=cast.assessor)
    with pytest.raises(Refusal) as exc:
        report_resolve(report=report, outcome="maybe", public_outcome="y", by=cast.assessor)
    assert "outcome" in exc.value.message_dict
    with pytest.raises(Refusal) as exc:
        report_resolve(report=report, outcome="founded", public_outcome="", by=cast.assessor)
    assert "public_outcome" in exc.value.message_dict


# Visibility and masking -------------------------------------------------------------------

def test_visibility(cast, report, other_report):
    assert set(reports_visible_to(cast.assessor)) == {report, other_report}
    assert set(reports_visible_to(cast.admin)) == {report, other_report}
    assert list(reports_visible_to(cast.kelurahan)) == [report]
    for who in ("aggregator", "executor", "collaborator", "outsider", "ketua_rw"):
        assert not reports_visible_to(getattr(cast, who)).exists()


def test_masks():
    assert mask_name("Siti Rahayu") == "S*** R***"
    assert mask_email("siti.rahayu@example.com") == "s***@e***.com"
    assert mask_phone("0812-9876-5432") == "*********432"
    assert mask_name("") == mask_email("") == mask_phone("") == ""


def test_description_is_kept_for_officers(cast, report):
    assert report.description == DESCRIPTION
