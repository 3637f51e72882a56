"""Property-based fuzzing of the whole JSON API (schemathesis over the app's own OpenAPI
schema, every operation): whatever a logged-in clinician sends, no endpoint answers 5xx. A
sample per run (``RARECARE_FUZZ_EXAMPLES`` examples per operation, 3 by default) keeps CI
short; more examples find more."""

from __future__ import annotations

import os

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.conftest import Cast, login

EXAMPLES = int(os.environ.get("RARECARE_FUZZ_EXAMPLES", "3"))


def test_no_input_makes_the_api_fail(app: FastAPI, client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    schema = schemathesis.openapi.from_dict(app.openapi())
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 50
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def send(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
            kwargs = case.as_transport_kwargs(base_url="http://testserver")
            kwargs.pop("base_url", None)
            kwargs.pop("cookies", None)  # the login session's cookies stay
            response = client.request(**kwargs)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {response.status_code} "
                    f"{kwargs.get('params')} {str(kwargs.get('json'))[:200]}"
                )

        send()
    assert failures == []
