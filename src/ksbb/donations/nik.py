"""The NIK (Nomor Induk Kependudukan), Indonesia's 16-digit national identity number.

Digits 1-2 province, 3-4 regency, 5-6 district (Kemendagri codes without dots), 7-12 the
birth date DDMMYY (women add 40 to the day), 13-16 a serial number. Personal data: shown
only masked.
"""

from __future__ import annotations

import calendar
import functools
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ksbb.areas.models import Area
from ksbb.areas.services import reference_rows
from ksbb.core.privacy import mask_nik as mask_nik  # one masking rule for the project

_NIK_RE = re.compile(r"^\d{16}$")


@functools.cache
def _reference_codes() -> frozenset[str]:
    """Regency and district codes of all Indonesia without dots, from the shipped data."""
    return frozenset(
        r.code.replace(".", "") for r in reference_rows()
        if r.level in (Area.Level.REGENCY, Area.Level.DISTRICT)
    )


def _code_exists(code_with_dots: str) -> bool:
    return (code_with_dots.replace(".", "") in _reference_codes()
            or Area.objects.filter(code=code_with_dots).exists())


def validate_nik(value: str) -> str:
    """Return the NIK without spaces, or raise ValidationError naming what is wrong."""
    nik = re.sub(r"[\s.-]", "", value or "")
    if not _NIK_RE.match(nik):
        raise ValidationError(_("a NIK has exactly 16 digits"), code="nik_format")
    regency = f"{nik[0:2]}.{nik[2:4]}"
    district = f"{regency}.{nik[4:6]}"
    if not _code_exists(regency):
        raise ValidationError(_("digits 1-4 of the NIK are not a known regency/city code"),
                              code="nik_regency")
    if not _code_exists(district):
        raise ValidationError(_("digits 1-6 of the NIK are not a known district code"),
                              code="nik_district")
    day, month = int(nik[6:8]), int(nik[8:10])
    if day > 40:
        day -= 40
    # Two-digit years: any year fits February 29 in some century (2000 is a leap year).
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise ValidationError(_("digits 7-12 of the NIK are not a birth date (DDMMYY)"),
                              code="nik_birth_date")
    if nik[12:16] == "0000":
        raise ValidationError(_("digits 13-16 of the NIK cannot be 0000"), code="nik_serial")
    return nik
