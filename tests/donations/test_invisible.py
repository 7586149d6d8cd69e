"""A service asked about another organisation's pledge refuses as if it did not exist
(Invisible: the API's 404, a message that names nothing); asked by someone who sees the
pledge but may not act, it refuses as NotAllowed (403) and says why."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ksbb.core.domain import Invisible, NotAllowed
from ksbb.donations.models import Pledge
from ksbb.donations.services import pledge_cancel, pledge_receive, pledge_reject


def test_another_aggregators_pledge_is_invisible(cast, goods_pledge):  # type: ignore[no-untyped-def]
    for act in (lambda by: pledge_receive(pledge=goods_pledge, received_quantity=1, by=by),
                lambda by: pledge_reject(pledge=goods_pledge, reason="no", by=by),
                lambda by: pledge_cancel(pledge=goods_pledge, reason="no", by=by)):
        with pytest.raises(Invisible) as refused:
            act(cast.outsider)
        assert "aggregator" not in str(refused.value)
    with pytest.raises(NotAllowed, match="aggregator") as refused:
        pledge_receive(pledge=goods_pledge, received_quantity=1, by=cast.collaborator)
    assert not isinstance(refused.value, Invisible)
    goods_pledge.refresh_from_db()
    assert goods_pledge.state == Pledge.State.SUBMITTED


def test_the_api_answers_404_for_another_aggregators_pledge(cast, goods_pledge):  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(cast.outsider)
    response = api.post(f"/api/v1/pledges/{goods_pledge.pk}/receive/",
                        {"received_quantity": 1}, format="json")
    assert response.status_code == 404
