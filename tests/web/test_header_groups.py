"""The signed-in header groups its links by workspace (issue 15, observation 6: the
platform admin had 19 links in a row, wrapping to three or four lines)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROLE_NAMES


def _wide(body: str) -> str:
    match = re.search(r'<nav class="wide"[^>]*>(.*?)</nav>', body, re.S)
    assert match
    return match.group(1)


def _top_level(nav: str) -> list[str]:
    """What sits in the row itself: direct links and menus (links inside a menu do not)."""
    without_menus = re.sub(r"<details.*?</details>", "<MENU>", nav, flags=re.S)
    return re.findall(r"<MENU>|<a\b", without_menus)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_a_handful_of_menus_whatever_the_role(role, cast, client_for):  # type: ignore[no-untyped-def]
    body = client_for(cast.users[role]).get("/").content.decode()
    nav = _wide(body)
    assert len(_top_level(nav)) <= 6, (role, _top_level(nav))
    # No link or button inside a <summary> (axe nested-interactive).
    for summary in re.findall(r"<summary>(.*?)</summary>", nav, re.S):
        assert "<a" not in summary and "<button" not in summary


def test_the_admin_finds_every_workspace_in_its_menu(cast, client_for):  # type: ignore[no-untyped-def]
    nav = _wide(client_for(cast.admin).get("/").content.decode())
    menus = dict(re.findall(r'<details class="ws[^"]*" data-ws="(\w+)">(.*?)</details>', nav, re.S))
    assert {"office", "public", "account"} <= set(menus)
    assert 'href="/backoffice/"' in menus["office"]
    assert 'href="/open-data/"' in menus["public"]
    assert "Sign out" in menus["account"]


def test_visitors_keep_a_row_of_public_links(client, db):  # type: ignore[no-untyped-def]
    nav = _wide(client.get("/").content.decode())
    assert "<details" not in nav
    assert 'href="/accounts/login/"' in nav and 'href="/reports/new/"' in nav
