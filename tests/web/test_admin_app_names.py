"""The admin names third-party apps in the reader's language (issue 15, observation 7:
"OTP_TOTP", "AXES")."""

from __future__ import annotations

from django.test import Client

from tests.otp import otp_verify_client


def test_admin_index_in_indonesian(cast):  # type: ignore[no-untyped-def]
    c = Client()
    c.cookies["django_language"] = "id"
    c.force_login(cast.admin)
    otp_verify_client(c, cast.admin)
    body = c.get("/admin/").content.decode()
    assert "Penguncian masuk" in body
    assert "aplikasi autentikator" in body
    for raw in ("Axes", "AXES", "Otp_Totp", "OTP_TOTP", "Otp_Static", "Tasks Database Backend"):
        assert f">{raw}<" not in body, raw
