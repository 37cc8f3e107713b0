"""Schemathesis over the OpenAPI description: whatever it sends, no answer is a 5xx.

Each operation gets a deterministic run of 20 generated requests, some that fit the schema and
some that do not, sent as the admin of tenant acme on each database. A request answered 401
is sent again with a new admin token, so that a generated logout or user change cannot leave
the rest of the run unauthenticated. The app runs with an interaction server for acme (built
from its stored configuration), so the live figures are served too.

(Schemathesis's own `from_fixture` loader does not work with pytest 9, so the schema is loaded
once, from an app built at collection time, and each test sends its cases to the app on its
own database.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from sqlalchemy import create_engine, select

from hotline.api.app import create_app
from hotline.runtime import Runtime, TenantRuntime
from hotline.store import accounts
from hotline.store.account_tables import User
from hotline.store.config_repo import load_tenant
from hotline.store.config_tables import TenantRow

EXAMPLES = 20
DOCUMENT = create_app(create_engine("sqlite://")).openapi()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = sorted((method.upper(), path)
                    for path, item in DOCUMENT["paths"].items() for method in item)


def admin_token(app: FastAPI) -> str:
    with app.state.sessions() as session:
        admin = session.scalars(
            select(User).join(TenantRow, TenantRow.id == User.tenant_id)
            .where(TenantRow.name == "acme", User.username == "admin")
        ).one()
        token = accounts.issue_token(session, admin)
        session.commit()
        return token


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_request_gets_a_server_error(app: FastAPI, method: str, path: str) -> None:
    operation = SCHEMA[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def no_server_error(case: Any) -> None:
        response = case.call(session=client, headers={"Authorization": f"Bearer {token[0]}"})
        if response.status_code == 401:  # the case logged out or changed the admin: again
            token[0] = admin_token(app)
            response = case.call(session=client,
                                 headers={"Authorization": f"Bearer {token[0]}"})
        case.validate_response(response, checks=[not_a_server_error])

    with app.state.sessions() as session:
        runtime = Runtime()
        runtime.add(TenantRuntime(load_tenant(session, "acme")))
    app.state.runtime = runtime  # so the live figures are served, not excused
    token = [admin_token(app)]
    with asgi.get_client(app) as client:
        no_server_error()
