"""Every patient endpoint, tried as every role and from another centre."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.conftest import Cast, login

from .conftest import patient_payload

Call = Callable[[TestClient, int], Response]

ENDPOINTS: dict[str, Call] = {
    "read": lambda c, pid: c.get(f"/api/registry/patients/{pid}"),
    "update": lambda c, pid: c.put(
        f"/api/registry/patients/{pid}",
        json={k: v for k, v in patient_payload().items() if k != "identity"},
    ),
    "delay": lambda c, pid: c.get(f"/api/registry/patients/{pid}/delay"),
    "phenotypes": lambda c, pid: c.get(f"/api/registry/patients/{pid}/phenotypes"),
    "add_phenotype": lambda c, pid: c.post(
        f"/api/registry/patients/{pid}/phenotypes", json={"hpo_id": "HP:0001638"}
    ),
    "diagnoses": lambda c, pid: c.get(f"/api/registry/patients/{pid}/diagnoses"),
    "add_diagnosis": lambda c, pid: c.post(
        f"/api/registry/patients/{pid}/diagnoses",
        json={"orpha_code": "ORPHA:365", "status": "suspected"},
    ),
    "refer": lambda c, pid: c.post(
        f"/api/registry/patients/{pid}/referrals", json={"centre_code": "CENTRE-A"}
    ),
    "encounters": lambda c, pid: c.get(f"/api/registry/patients/{pid}/encounters"),
    "add_encounter": lambda c, pid: c.post(
        f"/api/registry/patients/{pid}/encounters", json={"date": "2024-02-01", "weight_kg": 14.5}
    ),
    "reanalysis": lambda c, pid: c.get(f"/api/registry/patients/{pid}/reanalysis"),
    "similar": lambda c, pid: c.get(f"/api/registry/patients/{pid}/similar"),
    "page": lambda c, pid: c.get(f"/registry/patients/{pid}"),
    "identity": lambda c, pid: c.post(
        f"/api/registry/patients/{pid}/identity",
        json={"reason": "checking a duplicate registration"},
    ),
}
# expected status per role for a patient of centre A
EXPECTED = {
    "clinician.a": {
        "read": 200,
        "update": 200,
        "delay": 200,
        "phenotypes": 200,
        "add_phenotype": 201,
        "diagnoses": 200,
        "add_diagnosis": 201,
        "refer": 200,
        "encounters": 200,
        "add_encounter": 201,
        "reanalysis": 200,
        "similar": 200,
        "page": 200,
        "identity": 200,
    },
    "datamanager.a": {
        "read": 200,
        "update": 200,
        "delay": 200,
        "phenotypes": 200,
        "add_phenotype": 201,
        "diagnoses": 200,
        "add_diagnosis": 201,
        "refer": 200,
        "encounters": 200,
        "add_encounter": 201,
        "reanalysis": 200,
        "similar": 200,
        "page": 200,
        "identity": 200,
    },
    "clinician.b": dict.fromkeys(ENDPOINTS, 404),
    "analyst": {
        "read": 200,
        "update": 403,
        "delay": 200,
        "phenotypes": 200,
        "add_phenotype": 403,
        "diagnoses": 200,
        "add_diagnosis": 403,
        "refer": 403,
        "encounters": 200,
        "add_encounter": 403,
        "reanalysis": 200,
        "similar": 200,
        "page": 200,
        "identity": 403,
    },
    "admin": {
        "read": 200,
        "update": 403,
        "delay": 200,
        "phenotypes": 200,
        "add_phenotype": 403,
        "diagnoses": 200,
        "add_diagnosis": 403,
        "refer": 403,
        "encounters": 200,
        "add_encounter": 403,
        "reanalysis": 200,
        "similar": 200,
        "page": 200,
        "identity": 200,
    },
}


def _patient(client: TestClient) -> int:
    login(client, "clinician.a")
    response = client.post("/api/registry/patients", json=patient_payload())
    assert response.status_code == 201, response.text
    assert "Lan" not in response.text
    return int(response.json()["id"])


@pytest.mark.parametrize("username", list(EXPECTED))
def test_every_endpoint_as_every_role(client: TestClient, cast: Cast, username: str) -> None:
    patient_id = _patient(client)
    login(client, username)
    got = {name: call(client, patient_id).status_code for name, call in ENDPOINTS.items()}
    assert got == EXPECTED[username]


def test_anonymous_users_get_401(client: TestClient, cast: Cast) -> None:
    patient_id = _patient(client)
    client.post("/api/auth/logout", json={})
    assert client.get(f"/api/registry/patients/{patient_id}").status_code == 401
    assert client.get("/api/registry/patients").status_code == 401


def test_the_ministry_and_admins_cannot_register(client: TestClient, cast: Cast) -> None:
    login(client, "analyst")
    assert client.post("/api/registry/patients", json=patient_payload()).status_code == 403


def test_search_by_pseudonym_province_and_disease(client: TestClient, cast: Cast) -> None:
    patient_id = _patient(client)
    pseudonym = client.get(f"/api/registry/patients/{patient_id}").json()["pseudonym"]
    assert [
        p["id"]
        for p in client.get("/api/registry/patients", params={"pseudonym": pseudonym}).json()
    ] == [patient_id]
    assert client.get("/api/registry/patients", params={"province": "79"}).json() == []
    login(client, "clinician.b")
    assert client.get("/api/registry/patients", params={"pseudonym": pseudonym}).json() == []


def test_a_duplicate_at_a_second_centre_is_flagged_through_the_api(
    client: TestClient, cast: Cast
) -> None:
    first = _patient(client)
    login(client, "clinician.b")
    second = client.post("/api/registry/patients", json=patient_payload(full_name="NGUYỄN THỊ LAN"))
    assert second.status_code == 201
    # the second centre learns that the person may be registered elsewhere, not where
    assert second.json()["possible_duplicate"] is True
    login(client, "analyst")
    assert (
        client.get(f"/api/registry/patients/{second.json()['id']}").json()["possible_duplicate_of"]
        == first
    )


def _register(client: TestClient, **overrides: object) -> dict[str, object]:
    response = client.post("/api/registry/patients", json=patient_payload(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def test_a_stale_save_is_refused_with_what_changed_instead_of_undoing_it(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    patient = _register(client, consent_reuse=False)
    url = f"/api/registry/patients/{patient['id']}"
    record = {k: v for k, v in patient_payload().items() if k != "identity"}
    opened = client.get(url).json()["version"]
    colleague = client.put(url, json={**record, "consent_reuse": True, "version": opened})
    assert colleague.status_code == 200 and colleague.json()["version"] == opened + 1
    stale = client.put(url, json={**record, "consent_reuse": False, "version": opened})
    assert stale.status_code == 409
    details = stale.json()["error"]["details"]
    assert [d["field"] for d in details] == ["consent_reuse"]
    assert client.get(url).json()["consent_reuse"] is True  # the colleague's change stands


def test_a_centre_learns_of_a_possible_duplicate_but_not_which_record(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    first = _register(client)
    login(client, "clinician.b")
    second = _register(client)
    assert second["possible_duplicate"] is True
    assert second["possible_duplicate_of"] is None
    page = client.get(f"/registry/patients/{second['id']}").text
    badge = page.split('data-testid="possible-duplicate">')[1].split("</span>")[0]
    assert f"#{first['id']}" not in badge
    login(client, "analyst")
    seen = client.get(f"/api/registry/patients/{second['id']}").json()
    assert seen["possible_duplicate_of"] == first["id"]


def test_the_ministry_sees_a_rare_combination_coarsened_and_a_common_one_exactly(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    lone = _register(client, province_code="79")
    group = [
        _register(client, national_id=f"00132101299{i}", full_name=f"Trần Thị Mai {i}")
        for i in range(5)
    ]
    login(client, "analyst")
    seen = client.get(f"/api/registry/patients/{lone['id']}").json()
    assert seen["coarsened"] is True
    assert seen["province_code"] is None and seen["region"] == "south-east"
    assert seen["birth_month"] == "2021-01-01"
    assert seen["first_contact_date"] == "2022-01-01"
    common = client.get(f"/api/registry/patients/{group[0]['id']}").json()
    assert common["coarsened"] is False and common["province_code"] == "01"
    listed = {p["id"]: p for p in client.get("/api/registry/patients").json()}
    assert listed[lone["id"]]["coarsened"] is True
    page = client.get(f"/registry/patients/{lone['id']}").text
    assert "03/2021" not in page.split('data-testid="born">')[1][:80]
    login(client, "clinician.a")  # the patient's own centre sees the record as it is
    assert client.get(f"/api/registry/patients/{lone['id']}").json()["coarsened"] is False
