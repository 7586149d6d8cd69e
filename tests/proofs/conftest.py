"""Proof fixtures: a signed BAST (the distribution fixtures), a private key folder per test,
and the standalone verifier talking to the site through Django's test client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ksbb.verify.client import State, Verifier
from tests.distribution.conftest import delivered, dist, draft, signed  # noqa: F401

ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def _own_key_folder(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.KSBB_PUBLIC_URL = ORIGIN
    monkeypatch.delenv("KSBB_SIGNING_KEY", raising=False)


def client_fetch(client: Client) -> Callable[[str], Any]:
    def fetch(path: str) -> Any:
        response = client.get(path)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, (path, response.status_code, response.content)
        return response.json()

    return fetch


@pytest.fixture
def verifier_for(tmp_path: Path) -> Callable[..., Verifier]:
    """A verifier with its own memory (the same for every call in a test, as the file of
    one person running the command again and again)."""
    state = State(tmp_path / "verifier" / "state.json")

    def make(*, offline: bool = False) -> Verifier:
        return Verifier(origin=ORIGIN, state=state,
                        fetch=None if offline else client_fetch(Client()))

    return make
