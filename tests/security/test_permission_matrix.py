"""Every page and every API endpoint, for every role: the answer matches tests/security/
matrix.py, and every URL pattern of the project has an entry there.

The URL patterns come from the URL configuration itself, so a new page or endpoint without
a decision about who may use it fails ``test_every_url_pattern_has_an_entry``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.viewsets import ViewSetMixin

from tests.security.matrix import ADMIN, ADMIN_PREFIX, LOGIN, MATRIX, OK, PARAMS, ROLES

STATS: dict[str, int] = {}


@dataclass(frozen=True)
class Pattern:
    name: str | None  # namespaced, e.g. "backoffice:round"
    route: str
    callback: Any


def walk(resolver: URLResolver | None = None, prefix: str = "",
         namespace: str | None = None) -> Iterator[Pattern]:
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield Pattern(name, prefix + str(p.pattern), p.callback)


def all_patterns() -> list[Pattern]:
    return list(walk())


def is_admin(p: Pattern) -> bool:
    return p.route.startswith(f"{ADMIN_PREFIX}/")


def checked_names() -> list[str]:
    """One name per pattern outside the admin site (an API route and its ``.json``
    variant share a name and a view)."""
    return sorted({p.name for p in all_patterns() if p.name and not is_admin(p)})


def takes_params(p: Pattern) -> bool:
    # The API's optional format suffix (".json") is not a parameter to choose.
    route = p.route.replace("(?P<format>", "").replace("<drf_format_suffix:format>", "")
    return "<" in route


def accepts_post(callback: Any) -> bool:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return False
    if issubclass(view_class, ViewSetMixin):
        actions = getattr(callback, "actions", {}) or {}
        return "post" in actions or "put" in actions or "patch" in actions
    return "post" in getattr(view_class, "http_method_names", []) and hasattr(view_class,
                                                                               "post")


# The URL configuration against the table -------------------------------------------------

def test_every_url_pattern_has_an_entry() -> None:
    patterns = all_patterns()
    unnamed = [p.route for p in patterns if p.name is None and not is_admin(p)]
    assert not unnamed, f"give these URL patterns a name (and a matrix entry): {unnamed}"
    missing = [n for n in checked_names() if n not in MATRIX]
    assert not missing, (
        "URL patterns without a permission decision; add to MATRIX in "
        f"tests/security/matrix.py: {', '.join(missing)}")
    with_params = sorted({p.name for p in patterns
                          if p.name in MATRIX and p.name not in PARAMS and takes_params(p)})
    assert not with_params, ("these URL patterns take parameters: say which object to call "
                             f"them with in PARAMS (tests/security/matrix.py): {with_params}")
    stale = sorted(set(MATRIX) - set(checked_names()))
    assert not stale, f"entries in tests/security/matrix.py for no URL pattern: {stale}"
    no_post = sorted({p.name for p in patterns if p.name in MATRIX and accepts_post(p.callback)
                      and MATRIX[p.name].post is None})
    assert not no_post, ("these views accept POST (or PUT/PATCH): give their matrix entries "
                         f"a `post` expectation: {', '.join(no_post)}")
    for name, entry in MATRIX.items():
        for expect in (entry.get, entry.post):
            assert expect is None or set(expect) == set(ROLES), f"{name}: one value per role"
    admin_urls = len(admin_paths())
    names = len(MATRIX)
    STATS.update(patterns=len(patterns), names=names, admin_urls=admin_urls,
                 get_cases=(names + admin_urls) * len(ROLES),
                 post_cases=sum(1 for e in MATRIX.values() if e.post) * len(ROLES))


# Requests ------------------------------------------------------------------------------

def admin_paths() -> list[str]:
    """The admin site's index and each registered model's list."""
    names = [p.name for p in all_patterns() if is_admin(p) and p.name
             and (p.name == "admin:index" or p.name.endswith("_changelist"))]
    return [reverse(n) for n in sorted(names)]


def path_for(name: str, cast: Any, world: Any) -> str:
    kwargs = PARAMS[name](cast, world) if name in PARAMS else {}
    return reverse(name, kwargs=kwargs)


def outcome(response: Any) -> int | str:
    if (response.status_code == 302
            and response["Location"].split("?")[0] == resolve_url(settings.LOGIN_URL)):
        return LOGIN
    return int(response.status_code)


def matches(expected: int | str, got: int | str) -> bool:
    if expected == OK:
        return isinstance(got, int) and got < 500 and got not in (401, 403, 404)
    return expected == got


def request(c: Client, method: str, path: str) -> Any:
    """Each request in a savepoint that is rolled back: every case sees the same world."""
    with transaction.atomic():
        response = c.post(path) if method == "POST" else c.get(path)
        transaction.set_rollback(True)
    return response


def client(client_for: Any, cast: Any, role: str) -> Client:
    c = client_for(None if role == "anonymous" else cast.users[role])
    c.raise_request_exception = False  # a crash is a 500 in the table, not an abort
    return c


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role: str, method: str, cast: Any, world: Any,
                           client_for: Any) -> None:
    reader = client(client_for, cast, role)
    wrong: list[str] = []
    cases = 0
    for name, entry in sorted(MATRIX.items()):
        expect = entry.get if method == "GET" else entry.post
        if expect is None:
            continue
        path = path_for(name, cast, world)
        # A POST may sign the user out (logout): each gets a fresh client.
        c = reader if method == "GET" else client(client_for, cast, role)
        got = outcome(request(c, method, path))
        cases += 1
        if not matches(expect[role], got):
            wrong.append(f"{method} {path} ({name}): expected {expect[role]}, got {got}")
    if method == "GET":
        for path in admin_paths():
            got = outcome(request(reader, method, path))
            cases += 1
            if not matches(ADMIN.get[role], got):
                wrong.append(f"GET {path} (admin): expected {ADMIN.get[role]}, got {got}")
    STATS[f"ran_{method}_{role}"] = cases
    assert not wrong, f"{len(wrong)} of {cases} answers for {role} differ:\n" + "\n".join(wrong)
