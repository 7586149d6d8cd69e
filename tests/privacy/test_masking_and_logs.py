"""Masking helpers, the template filters, and the log filter installed in settings."""

from __future__ import annotations

import io
import logging

import pytest
from django.template import Context, Template

from ksbb.core.privacy import (
    RedactPersonalDataFilter,
    mask_email,
    mask_name,
    mask_nik,
    mask_phone,
    public_name,
    redact,
)

from .conftest import EMAIL, NIK, PHONE


def test_masks_keep_only_a_hint():
    assert mask_nik(NIK) == "3171**********01"
    assert mask_phone(PHONE) == "*********890"
    assert mask_email(EMAIL) == "b***@e***.com"
    assert mask_name("Budi Santoso") == "B*** S***"
    assert mask_nik("") == mask_phone("") == mask_email("") == mask_name("") == ""


def test_template_filters():
    html = Template("{% load ksbb_privacy %}{{ p|mask_phone }} {{ n|mask_nik }} "
                    "{{ e|mask_email }}").render(Context({"p": PHONE, "n": NIK, "e": EMAIL}))
    assert html == "*********890 3171**********01 b***@e***.com"


@pytest.mark.parametrize("text", [
    f"NIK {NIK} given", f"call {PHONE}", "call +62 812 3456 7890", "call 6281234567890",
    "office 021-5551234", f"mail {EMAIL}", f"<{EMAIL.upper()}>",
])
def test_redact_removes_personal_data(text):
    out = redact(text)
    for secret in (NIK, PHONE, EMAIL, EMAIL.upper(), "812 3456 7890", "6281234567890",
                   "5551234"):
        assert secret not in out


@pytest.mark.parametrize("text", [
    "area 31.71.01.1001.003", "pledge 1234 x 300 paket", "2024-05-01T10:00:00+07:00",
    "GET /api/v1/areas/31.71.01.1001/ HTTP/1.1 200 5123", "Rp 15000000000",
])
def test_redact_keeps_ordinary_figures(text):
    assert redact(text) == text


def _installed_handler() -> logging.Handler:
    handlers = [h for h in logging.getLogger().handlers
                if any(isinstance(f, RedactPersonalDataFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING must install RedactPersonalDataFilter on its handler"
    return handlers[0]


def test_logging_filter_is_installed_and_redacts(settings):
    handler = _installed_handler()
    assert isinstance(handler, logging.StreamHandler)
    buf = io.StringIO()
    old = handler.setStream(buf)
    try:
        log = logging.getLogger("ksbb.tests.privacy")
        log.warning("donor %s nik=%s phone=%s", EMAIL, NIK, PHONE)
        try:
            raise ValueError(f"bad contact {EMAIL} {PHONE}")
        except ValueError:
            log.exception("failed for %s", NIK)
    finally:
        handler.setStream(old)  # type: ignore[arg-type]
    written = buf.getvalue()
    assert "donor [email] nik=[NIK] phone=[phone]" in written
    assert "ValueError: bad contact [email] [phone]" in written
    for secret in (EMAIL, NIK, PHONE):
        assert secret not in written


def test_public_name_never_shows_an_email(cast):
    cast.collaborator.username = EMAIL
    cast.collaborator.full_name = "Budi Santoso"
    assert public_name(cast.collaborator) == "Budi S."
    cast.collaborator.full_name = ""
    assert public_name(cast.collaborator) == "Anonymous"
    assert public_name(cast.assessor) == "assessor"
    cast.assessor.is_active = False
    assert public_name(cast.assessor) == "Anonymous"
