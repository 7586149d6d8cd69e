import pytest
from django.core.exceptions import ValidationError

from ksbb.donations.nik import mask_nik, validate_nik

pytestmark = pytest.mark.django_db

# 31.71 Jakarta Pusat, 31.71.01 Gambir; born 12 May 1990.
MAN = "3171011205900001"
WOMAN = "3171015205900002"  # day 12 + 40


@pytest.mark.parametrize("nik", [MAN, WOMAN, "3171 0112 0590 0001", "3273012902000003"])
def test_valid_niks(nik):
    assert validate_nik(nik) == nik.replace(" ", "")


@pytest.mark.parametrize(("nik", "code"), [
    ("317101120590001", "nik_format"),       # 15 digits
    ("31710112059000012", "nik_format"),     # 17 digits
    ("31710112059A0001", "nik_format"),
    ("", "nik_format"),
    ("3199011205900001", "nik_regency"),     # no regency 31.99
    ("3171991205900001", "nik_district"),    # no district 31.71.99
    ("3171010005900001", "nik_birth_date"),  # day 0
    ("3171013205900001", "nik_birth_date"),  # day 32
    ("3171017205900001", "nik_birth_date"),  # day 72 - 40 = 32
    ("3171011213900001", "nik_birth_date"),  # month 13
    ("3171013102900001", "nik_birth_date"),  # 31 February
    ("3171011205900000", "nik_serial"),
])
def test_invalid_niks(nik, code):
    with pytest.raises(ValidationError) as exc:
        validate_nik(nik)
    assert exc.value.code == code


def test_mask_keeps_only_regency_and_last_digits():
    assert mask_nik(MAN) == "3171**********01"
    assert mask_nik("") == ""
