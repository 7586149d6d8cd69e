"""Property-based tests of the whole API from its own OpenAPI schema (/api/schema/):
Schemathesis generates requests for every operation, valid and invalid, and sends them
to the WSGI application in-process, anonymously and as the platform administrator (token),
so that writes are exercised too. No answer may be a 5xx, and answers must conform to the
schema.

Examples per operation: KSBB_SCHEMATHESIS_EXAMPLES (default 10); derandomised, so a
failure reproduces with the same number.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from ksbb.wsgi import application
from tests.security.conftest import world  # noqa: F401  (one object of each kind)

EXAMPLES = int(os.environ.get("KSBB_SCHEMATHESIS_EXAMPLES", "10"))
# Not status_code_conformance: the schema documents each operation's success answers;
# 400/403/404 and 405 are the API's common contract (README), not listed per operation.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
CALLERS = ["anonymous", "admin"]
RUN: Counter[str] = Counter()
_REPORTING: list[bool] = []


def _report_figures(config: pytest.Config) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and RUN:
        reporter.write_line(
            f"schemathesis: {len({k.split(' ', 1)[1] for k in RUN})} operations, "
            f"{sum(RUN.values())} requests ({EXAMPLES} generated examples at most per "
            f"operation and caller, plus explicit and coverage cases; callers: "
            f"{', '.join(CALLERS)})")


@pytest.fixture(autouse=True)
def _wsgi_keeps_the_test_transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    request.getfixturevalue("world")
    if not _REPORTING:  # once per session, printed at its end
        _REPORTING.append(True)
        request.config.add_cleanup(lambda: _report_figures(request.config))
    # The WSGI handler closes "old" connections around each request, which would end the
    # test's transaction; Django's test client disconnects the same receivers.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def headers(cast: Any) -> dict[str, dict[str, str]]:
    """Request headers per caller: none for anonymous, a token for the others."""
    tokens = {who: Token.objects.get_or_create(user=getattr(cast, who))[0].key
              for who in CALLERS if who != "anonymous"}
    return {"anonymous": {}, **{who: {"Authorization": f"Token {key}"}
                                for who, key in tokens.items()}}


# Loaded at collection (pytest-django has set Django up; the schema needs no database).
# Not through a fixture: schemathesis's lazy schemas do not work with pytest 9 yet.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


def _check(case: Any, who: str, headers: dict[str, dict[str, str]]) -> None:
    RUN[f"{who} {case.operation.label}"] += 1
    response = case.call(headers=headers[who])
    case.validate_response(response, checks=CHECKS, headers=headers[who])


# Two tests rather than a parametrised one: the lazy schema cannot be parametrised twice.
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_anonymous(case: Any, headers: dict[str, dict[str, str]]) -> None:
    _check(case, "anonymous", headers)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_as_admin(case: Any, headers: dict[str, dict[str, str]]) -> None:
    _check(case, "admin", headers)
