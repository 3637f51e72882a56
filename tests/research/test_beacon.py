"""The Beacon v2 endpoint: every response validates against the GA4GH Beacon v2 framework
schemas (copied into ``beacon_schemas`` by scripts/copy_beacon_schemas.sh), counts of 1–4 are
never returned, only consenting records count, and what anonymous callers get is configured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from tests.conftest import login
from tests.research.conftest import POMPE, TRIAD, World

SCHEMAS = Path(__file__).parent / "beacon_schemas"


def _retrieve(uri: str) -> Any:
    if not uri.startswith("file://"):
        raise ValueError(f"the Beacon schemas refer only to each other, not to {uri}")
    return json.loads(Path(uri.removeprefix("file://")).read_text())


def assert_valid(document: dict[str, Any], schema: str) -> None:
    path = SCHEMAS / schema
    validator = jsonschema_rs.validator_for(
        json.loads(path.read_text()), base_uri=path.as_uri(), retriever=_retrieve
    )
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors


def test_the_copied_schemas_accept_the_official_shape_of_a_count_response() -> None:
    # a guard that validation itself works: a response missing its summary fails
    with pytest.raises(AssertionError):
        assert_valid({"meta": {}}, "responses/beaconCountResponse.json")


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("/api/beacon/v2/info", "responses/beaconInfoResponse.json"),
        ("/api/beacon/v2", "responses/beaconInfoResponse.json"),
        ("/api/beacon/v2/configuration", "responses/beaconConfigurationResponse.json"),
        ("/api/beacon/v2/map", "responses/beaconMapResponse.json"),
        ("/api/beacon/v2/entry_types", "responses/beaconEntryTypesResponse.json"),
        ("/api/beacon/v2/filtering_terms", "responses/beaconFilteringTermsResponse.json"),
    ],
)
def test_informational_endpoints_validate(
    client: TestClient, world: World, path: str, schema: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert_valid(response.json(), schema)


def test_filtering_terms_are_the_terms_present_among_consenting_records(
    client: TestClient, world: World
) -> None:
    terms = {
        t["id"]
        for t in client.get("/api/beacon/v2/filtering_terms").json()["response"]["filteringTerms"]
    }
    assert {POMPE, *TRIAD, "NCIT:C16576", "NCIT:C20197"} <= terms
    assert "OMIM:232300" in terms  # Pompe's OMIM twin
    assert "HP:0001250" not in terms  # seizure: nobody has it


def test_a_logged_in_user_gets_a_count_that_validates(client: TestClient, world: World) -> None:
    login(client, "analyst")
    response = client.get(
        "/api/beacon/v2/individuals",
        params={"filters": f"{POMPE},{TRIAD[0]}", "requestedGranularity": "count"},
    )
    body = response.json()
    assert_valid(body, "responses/beaconCountResponse.json")
    assert body["meta"]["returnedGranularity"] == "count"
    assert body["responseSummary"] == {"exists": True, "numTotalResults": 6}  # not the refusing one


def test_omim_and_hpo_descendants_match(client: TestClient, world: World) -> None:
    login(client, "analyst")
    # OMIM:232300 is Pompe; HP:0001637 (abnormal myocardium morphology) is above cardiomyopathy
    body = client.get(
        "/api/beacon/v2/individuals",
        params={"filters": "OMIM:232300,HP:0001637", "requestedGranularity": "count"},
    ).json()
    assert body["responseSummary"]["numTotalResults"] == 6


def test_a_count_of_one_to_four_is_answered_as_a_boolean(client: TestClient, world: World) -> None:
    login(client, "analyst")
    body = client.post(
        "/api/beacon/v2/individuals",
        json={
            "meta": {"apiVersion": "v2.0.0"},
            "query": {
                "filters": [{"id": POMPE}, {"id": "NCIT:C16576"}],
                "requestedGranularity": "count",
            },
        },
    ).json()  # three consenting women
    assert_valid(body, "responses/beaconBooleanResponse.json")
    assert body["meta"]["returnedGranularity"] == "boolean"
    assert body["responseSummary"] == {"exists": True}


def test_an_anonymous_caller_gets_a_boolean_by_default(client: TestClient, world: World) -> None:
    body = client.get(
        "/api/beacon/v2/individuals", params={"filters": POMPE, "requestedGranularity": "count"}
    ).json()
    assert_valid(body, "responses/beaconBooleanResponse.json")
    assert body["responseSummary"] == {"exists": True}


def test_nothing_found_is_a_count_of_zero(client: TestClient, world: World) -> None:
    login(client, "analyst")
    body = client.get(
        "/api/beacon/v2/individuals",
        params={"filters": "HP:0001250", "requestedGranularity": "count"},
    ).json()
    assert_valid(body, "responses/beaconCountResponse.json")
    assert body["responseSummary"] == {"exists": False, "numTotalResults": 0}


def test_an_unknown_filter_is_a_beacon_error_naming_it(client: TestClient, world: World) -> None:
    response = client.get("/api/beacon/v2/individuals", params={"filters": "FOO:1"})
    assert response.status_code == 400
    assert_valid(response.json(), "responses/beaconErrorResponse.json")
    assert "FOO:1" in response.json()["error"]["errorMessage"]


def test_a_beacon_closed_to_the_public_asks_anonymous_callers_to_log_in(
    world: World, app: Any
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"beacon_public_granularity": "none"})
    with TestClient(app) as client:
        response = client.get("/api/beacon/v2/individuals", params={"filters": POMPE})
    assert response.status_code == 401
    assert_valid(response.json(), "responses/beaconErrorResponse.json")
