"""Another organisation's delivery or BAST: the services refuse as if it did not exist
(Invisible, the API's 404); someone who sees it but may not act is NotAllowed (403)."""

from __future__ import annotations

import pytest

from ksbb.core.domain import Invisible, NotAllowed
from ksbb.distribution.services import delivery_dispatch, handover_confirm, handover_update


def test_another_organisations_delivery_and_bast_are_invisible(cast, dist, draft):  # type: ignore[no-untyped-def]
    with pytest.raises(Invisible):
        delivery_dispatch(delivery=dist.delivery, by=cast.outsider)
    with pytest.raises(Invisible):
        handover_update(handover=draft, by=cast.outsider, address="Jl. Lain")
    with pytest.raises(Invisible):
        handover_confirm(handover=draft, role="giver", by=cast.collaborator)
    # The kelurahan officer sees the village's delivery but does not drive it.
    with pytest.raises(NotAllowed) as refused:
        delivery_dispatch(delivery=dist.delivery, by=cast.kelurahan)
    assert not isinstance(refused.value, Invisible)
