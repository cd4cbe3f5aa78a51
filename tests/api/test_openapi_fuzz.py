"""Schemathesis over the whole OpenAPI description: no input makes a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from privault.app.bootstrap import Platform
from privault.core.context import Principal, RequestContext
from privault.core.secret import Secret
from privault.interfaces.api import create_app
from tests.api.conftest import OPEN_LIMITS, PASSWORD, make_user
from tests.support.data import CUSTOMER_SCHEMA, customer


@pytest.fixture
def fuzz_app(sqlite_platform: Platform, clock: Any) -> tuple[Any, dict[str, str]]:
    p = sqlite_platform
    owner = RequestContext(Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now()))
    p.tenants.create(owner, "acme")
    p.tenants.apply_schema(owner, "acme", CUSTOMER_SCHEMA)
    p.vault.put(owner, "acme", "customer", customer(1))
    make_user(p, owner, "root", "owner")
    login = p.signin.login(owner, "root", Secret(PASSWORD))
    # No TOTP enrolled: the session has no second factor, so step-up routes answer 403.
    return create_app(p, OPEN_LIMITS), {"Authorization": f"Bearer {login.token.reveal()}"}


def test_no_server_errors(fuzz_app: tuple[Any, dict[str, str]]) -> None:
    app, headers = fuzz_app
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    calls: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        run()
    assert not failures, failures[:10]
    assert len(calls) >= 10 * len(operations)
    assert any(200 <= c < 300 for c in calls)
