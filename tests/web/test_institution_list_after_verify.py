"""After verifying an institution the list must not read "No institutions yet." (issue 15,
observation 7)."""

from __future__ import annotations

from ksbb.areas.models import Area
from ksbb.needs.services import institution_register
from tests.conftest import VILLAGE_A


def test_verifying_the_last_waiting_institution(cast, client_for):  # type: ignore[no-untyped-def]
    home = institution_register(kind="orphanage", name="Panti Asuhan Melati",
                                area=Area.objects.get(code=VILLAGE_A), residents=25,
                                address="Jl. Melati 3", contact_name="Ibu Sari",
                                contact_phone="0812", by=cast.assessor)
    c = client_for(cast.assessor)
    waiting = "/backoffice/institutions/?state=unverified"
    assert "Panti Asuhan Melati" in c.get(waiting).content.decode()
    page = c.post(f"/backoffice/institutions/{home.pk}/verify/", {"next": waiting},
                  follow=True)
    body = page.content.decode()
    assert "Panti Asuhan Melati is verified." in body
    assert "No institutions yet." not in body
    assert "No institution is waiting for verification." in body
    every = c.get("/backoffice/institutions/").content.decode()
    assert "Panti Asuhan Melati" in every and "No institutions yet." not in every
