"""Each role reaches only its own screens and records; the outsider nothing of others'.

The matrix lists every page of the foundation with the status each member of the cast
gets. 302 means "sent to sign in" (anonymous), 403 "signed in, not allowed".
"""

from __future__ import annotations

import pytest

from tests.conftest import ROLE_NAMES, VILLAGE_A, VILLAGE_BANDUNG, VILLAGE_OTHER

pytestmark = pytest.mark.django_db

WHO = ["anonymous", *ROLE_NAMES]

# page -> expected status per member of the cast, in WHO order:
#        anon admin assessor aggregator executor kelurahan ketua_rw collaborator outsider
MATRIX: dict[str, tuple[int, ...]] = {
    "/": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/healthz": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/backoffice/": (302, 200, 200, 403, 403, 403, 403, 403, 403),
    "/orgs/": (302, 200, 200, 200, 200, 403, 403, 200, 200),
    "{aggregator_org}": (302, 200, 200, 200, 403, 403, 403, 403, 403),
    "{executor_org}": (302, 200, 200, 403, 200, 403, 403, 403, 403),
    "{collaborator_org}": (302, 200, 200, 403, 403, 403, 403, 200, 403),
    "{outsider_org}": (302, 200, 200, 403, 403, 403, 403, 403, 200),
    "/field/": (302, 200, 403, 403, 200, 200, 403, 403, 403),
    f"/field/villages/{VILLAGE_A}/": (302, 200, 200, 403, 403, 200, 403, 403, 403),
    f"/field/villages/{VILLAGE_OTHER}/": (302, 200, 200, 403, 403, 403, 403, 403, 403),
    "/field/recipients/": (302, 200, 403, 403, 403, 403, 200, 403, 403),
    "{recipient}": (302, 200, 200, 403, 403, 200, 200, 403, 403),
    "{other_recipient}": (302, 200, 200, 403, 403, 403, 403, 403, 403),
    "/admin/": (302, 200, 302, 302, 302, 302, 302, 302, 302),
}

CASES = [
    pytest.param(page, who, MATRIX[page][i], id=f"{page}-{who}")
    for page in MATRIX
    for i, who in enumerate(WHO)
]


def _url(page: str, cast) -> str:  # type: ignore[no-untyped-def]
    objects = {
        "{aggregator_org}": f"/orgs/{cast.aggregator_org.pk}/",
        "{executor_org}": f"/orgs/{cast.executor_org.pk}/",
        "{collaborator_org}": f"/orgs/{cast.collaborator_org.pk}/",
        "{outsider_org}": f"/orgs/{cast.outsider_org.pk}/",
        "{recipient}": f"/field/recipients/{cast.recipient.pk}/",
        "{other_recipient}": f"/field/recipients/{cast.other_recipient.pk}/",
    }
    return objects.get(page, page)


@pytest.mark.parametrize(("page", "who", "expected"), CASES)
def test_page_access(page, who, expected, cast, client_for):  # type: ignore[no-untyped-def]
    user = None if who == "anonymous" else cast.users[who]
    response = client_for(user).get(_url(page, cast))
    assert response.status_code == expected


def test_organisation_list_shows_only_own(cast, client_for):  # type: ignore[no-untyped-def]
    body = client_for(cast.aggregator).get("/orgs/").content.decode()
    assert "BAZNAS DKI" in body and "Lembaga Lain" not in body and "PT Sembako" not in body
    body = client_for(cast.assessor).get("/orgs/").content.decode()
    assert "BAZNAS DKI" in body and "Lembaga Lain" in body


def test_disabled_membership_loses_access(cast, client_for):  # type: ignore[no-untyped-def]
    from ksbb.accounts.services import membership_revoke

    membership = cast.aggregator.memberships.get()
    membership_revoke(membership=membership, by=cast.admin)
    assert client_for(cast.aggregator).get(f"/orgs/{cast.aggregator_org.pk}/").status_code == 403


def test_unknown_object_is_404_not_a_leak(cast, client_for):  # type: ignore[no-untyped-def]
    assert client_for(cast.admin).get("/orgs/999999/").status_code == 404
    assert client_for(cast.admin).get("/field/villages/31.99.99.9999/").status_code == 404


# A second region (issue 18): Kota Bandung's people against Jakarta's pages and back. 404:
# another region's record is invisible to a government role; 403 as above.
#        anon admin assessor aggregator executor kelurahan ketua_rw collaborator outsider
#        + Bandung's admin assessor kelurahan
REGION_MATRIX: dict[str, tuple[int, ...]] = {
    "/backoffice/": (302, 200, 200, 403, 403, 403, 403, 403, 403, 200, 200, 403),
    f"/field/villages/{VILLAGE_A}/": (302, 200, 200, 403, 403, 200, 403, 403, 403,
                                      404, 404, 404),
    f"/field/villages/{VILLAGE_BANDUNG}/": (302, 404, 404, 403, 403, 404, 403, 403, 403,
                                            200, 200, 200),
    "{recipient}": (302, 200, 200, 403, 403, 200, 200, 403, 403, 404, 404, 404),
    "{bandung_recipient}": (302, 404, 404, 403, 403, 404, 403, 403, 403, 200, 200, 200),
}
REGION_WHO = [*WHO, "bandung_admin", "bandung_assessor", "bandung_kelurahan"]


@pytest.mark.parametrize(("page", "who", "expected"), [
    pytest.param(page, who, REGION_MATRIX[page][i], id=f"{page}-{who}")
    for page in REGION_MATRIX for i, who in enumerate(REGION_WHO)])
def test_page_access_in_two_regions(page, who, expected, cast, bandung,  # type: ignore[no-untyped-def]
                                    client_for):
    if who == "anonymous":
        user = None
    elif who.startswith("bandung_"):
        user = bandung.users[who.removeprefix("bandung_")]
    else:
        user = cast.users[who]
    url = {"{recipient}": f"/field/recipients/{cast.recipient.pk}/",
           "{bandung_recipient}": f"/field/recipients/{bandung.recipient.pk}/"}.get(page, page)
    assert client_for(user).get(url).status_code == expected
