"""On phones the header's links sit behind a "Menu" button; on desktops they show in a
row. Both are the same links, sign-out included (one template, ksbb/_nav_links.html)."""

from __future__ import annotations

import re


def test_both_menus_carry_the_same_links(cast, client_for):  # type: ignore[no-untyped-def]
    body = client_for(cast.executor).get("/field/").content.decode()
    wide = re.search(r'<nav class="wide"[^>]*>(.*?)</nav>', body, re.S)
    menu = re.search(r'<details class="menu">\s*<summary>Menu</summary>\s*<nav[^>]*>(.*?)</nav>',
                     body, re.S)
    assert wide and menu
    links = re.findall(r'href="([^"]+)"', wide.group(1))
    assert links == re.findall(r'href="([^"]+)"', menu.group(1))
    assert "/field/deliveries/" in links
    assert "Sign out" in menu.group(1)


def test_anonymous_visitors_find_sign_in_in_the_menu(client, db):  # type: ignore[no-untyped-def]
    body = client.get("/").content.decode()
    menu = body[body.index('<details class="menu">'):body.index("</details>")]
    assert 'href="/accounts/login/"' in menu
