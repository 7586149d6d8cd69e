"""Family card numbers (KK) and NIKs: checks, keyed hashes and masks.

Both are 16 digits: 1-6 the district (Kemendagri code without dots), 7-12 a date DDMMYY
(the NIK: the birth date, women add 40 to the day; the KK: the date it was issued), 13-16 a
serial number. Neither is ever stored: only ``keyed_hash`` (HMAC-SHA256 with the key of
``settings.KSBB_HOUSEHOLD_KEY``, which lives outside the database and its backups) and the
mask. Without the key nobody can test a guessed number against the hashes; with it, the
same NIK gives the same hash in every RW, which is what finds duplicates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hmac
from collections.abc import Iterable
from hashlib import sha256

from django.conf import settings
from django.utils.translation import gettext as _

from ksbb.areas.models import Area
from ksbb.areas.services import reference_rows
from ksbb.core.privacy import mask_nik

_DIGITS = frozenset("0123456789")


_SEPARATORS = str.maketrans("", "", " .-\t")


def normalise(value: str) -> str:
    """Digits as typed, without the spaces, dots and dashes people put in them."""
    value = (value or "").strip()
    return value if value.isdigit() else value.translate(_SEPARATORS)


def _key() -> bytes:
    return settings.KSBB_HOUSEHOLD_KEY


def keyed_hash(kind: str, number: str) -> str:
    """HMAC-SHA256 of a normalised number; ``kind`` ("kk" or "nik") keeps the two apart."""
    return hmac.new(_key(), f"{kind}:{number}".encode(), sha256).hexdigest()


def keyed_hashes(kind: str, numbers: Iterable[str]) -> list[str]:
    """Many at once: the key is read once; ``hmac.digest`` runs in C."""
    key = _key()
    prefix = f"{kind}:".encode()
    return [hmac.digest(key, prefix + n.encode(), "sha256").hex() for n in numbers]


def mask(number: str) -> str:
    """``3171**********23``: the regency and the last two digits, as for donors' NIKs."""
    return mask_nik(number)


@functools.cache
def _reference_districts() -> frozenset[str]:
    return frozenset(r.code.replace(".", "") for r in reference_rows()
                     if r.level == Area.Level.DISTRICT)


def known_districts() -> frozenset[str]:
    """District codes without dots: all of Indonesia from the shipped data (a NIK issued in
    Surabaya is valid in Jakarta) plus any district added to the areas table."""
    extra = Area.objects.filter(level=Area.Level.DISTRICT).values_list("code", flat=True)
    return _reference_districts() | {c.replace(".", "") for c in extra}


@functools.lru_cache(maxsize=100_000)
def _date_ok(day: int, month: int, year2: int, *, today: dt.date) -> bool:
    # Cached: a list of millions holds at most 36,500 different dates.
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        return False
    # Two digits: 19YY or 20YY, whichever is not in the future.
    for century in (2000, 1900):
        try:
            if dt.date(century + year2, month, day) <= today:
                return True
        except ValueError:  # 29 February of a common year
            continue
    return False


def check_nik(nik: str, districts: frozenset[str], *, today: dt.date | None = None
              ) -> str | None:
    """Why ``nik`` (normalised) is not a NIK, or None."""
    if len(nik) != 16 or not _DIGITS.issuperset(nik):
        return _("a NIK has exactly 16 digits")
    if nik[:6] not in districts:
        return _("digits 1-6 of the NIK are not a known district code")
    day = int(nik[6:8])
    if day > 40:
        day -= 40
    if not _date_ok(day, int(nik[8:10]), int(nik[10:12]), today=today or dt.date.today()):
        return _("digits 7-12 of the NIK are not a birth date (DDMMYY)")
    if nik[12:] == "0000":
        return _("digits 13-16 of the NIK cannot be 0000")
    return None


def check_kk(kk: str, districts: frozenset[str], *, today: dt.date | None = None
             ) -> str | None:
    """Why ``kk`` (normalised) is not a family card number, or None."""
    if len(kk) != 16 or not _DIGITS.issuperset(kk):
        return _("a family card number (KK) has exactly 16 digits")
    if kk[:6] not in districts:
        return _("digits 1-6 of the family card number are not a known district code")
    if not _date_ok(int(kk[6:8]), int(kk[8:10]), int(kk[10:12]),
                    today=today or dt.date.today()):
        return _("digits 7-12 of the family card number are not a date of issue (DDMMYY)")
    if kk[12:] == "0000":
        return _("digits 13-16 of the family card number cannot be 0000")
    return None


def district_of_rw(rw_code: str) -> str:
    """``31.71.01.1001.003`` -> ``317101``, comparable with digits 1-6 of a KK."""
    return rw_code[:8].replace(".", "")
