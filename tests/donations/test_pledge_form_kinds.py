"""The pledge form shows the goods or the money section according to the chosen kind
(issue 15, observation 7): marked sections that the stylesheet hides by the checked radio,
no script; the browser side is in tests/e2e/test_roles_accessibility.py."""

from __future__ import annotations

from pathlib import Path

import ksbb


def test_sections_marked_by_kind(cast, don, client_for):  # type: ignore[no-untyped-def]
    body = client_for(cast.collaborator).get("/donations/pledges/new/").content.decode()
    assert '<form method="post" class="stack pledge-kind">' in body
    assert '<fieldset class="kind-goods">' in body and '<fieldset class="kind-money">' in body
    assert 'value="goods"' in body and "checked" in body
    assert "{#" not in body and "#}" not in body
    css = (Path(ksbb.__file__).parent / "web/static/ksbb/css/ksbb.css").read_text()
    assert "input[name=kind][value=money]:checked) fieldset.kind-goods" in css
