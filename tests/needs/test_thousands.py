"""Figures with thousands separators, in the reader's format (issue 15, observation 7: the
back office showed 1664 and 2462). Per figure in the templates, not
USE_THOUSAND_SEPARATOR, which would also group the ids in links."""

from __future__ import annotations

from django.test import Client

from ksbb.needs.services import need_set
from tests.otp import otp_verify_client


def test_round_page_groups_thousands(cast, food_round, client_for):  # type: ignore[no-untyped-def]
    need_set(round=food_round, recipient=cast.recipient, item="sembako", quantity=1664,
             priority=1, by=cast.assessor)
    english = client_for(cast.assessor).get(f"/backoffice/rounds/{food_round.pk}/")
    assert ">1,664<" in english.content.decode()
    c = Client()
    c.cookies["django_language"] = "id"
    c.force_login(cast.assessor)
    otp_verify_client(c, cast.assessor)
    body = c.get(f"/backoffice/rounds/{food_round.pk}/").content.decode()
    assert ">1.664<" in body and ">1664<" not in body
    rounds = c.get("/backoffice/rounds/").content.decode()
    assert ">1.664<" in rounds
    assert f'href="/backoffice/rounds/{food_round.pk}/"' in rounds
