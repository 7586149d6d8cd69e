"""Header links to the donation pages, per audience."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

LINKS = {
    "/donations/mine/": {"collaborator"},
    "/donations/pledges/new/": {"collaborator"},
    "/donations/inbox/": {"aggregator", "outsider"},
    "/donations/purchases/": {"aggregator", "outsider"},
    "/donations/import/": {"aggregator", "outsider"},
    "/donations/verification/": set(),  # the admin (superuser) sees everything
    "/donations/register/": {None},
}


@pytest.mark.parametrize("who", [None, "collaborator", "aggregator", "outsider",
                                 "assessor", "executor"])
def test_navigation_links(cast, client_for, who):
    user = cast.users[who] if who else None
    body = client_for(user).get("/donations/aggregators/").content.decode()
    nav = body[body.index("<nav"):body.index("</nav>")]
    for url, audience in LINKS.items():
        assert (f'href="{url}"' in nav) == (who in audience), (url, who)
    assert 'href="/donations/aggregators/"' in nav  # public


def test_admin_sees_the_verification_queue(cast, client_for):
    body = client_for(cast.admin).get("/").content.decode()
    assert 'href="/donations/verification/"' in body
