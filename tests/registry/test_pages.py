from fastapi.testclient import TestClient

from tests.conftest import Cast, form_token, login

from .conftest import patient_payload


def test_a_clinician_registers_records_phenotypes_and_confirms(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    page = client.get("/registry/new")
    identity = patient_payload()["identity"]
    form = {
        **identity,
        "sex": "female",
        "province_code": "01",
        "first_contact_date": "2024-01-10",
        "diagnostic_status": "suspected",
        "contact_for_research": "yes",
        "consent_reuse": "yes",
        "csrf_token": form_token(page.text),
    }
    created = client.post("/registry/new", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    page = client.get(url)
    assert "Nguyễn Thị Lan" not in page.text
    token = form_token(page.text)
    for term in ("HP:0001639", "HP:0001252", "HP:0000158", "HP:0002240", "HP:0003236"):
        assert (
            client.post(
                f"{url}/phenotypes",
                data={"hpo_id": term, "csrf_token": token},
                follow_redirects=False,
            ).status_code
            == 303
        )
    page = client.get(url)
    assert 'data-testid="suggested"' in page.text
    assert 'data-testid="questions"' in page.text  # what to ask next, with yes / no buttons
    assert 'data-testid="answer-no"' in page.text
    confirmed = client.post(
        f"{url}/diagnoses",
        data={"orpha_code": "ORPHA:365", "status": "confirmed", "csrf_token": token},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    page = client.get(url)
    assert "ORPHA:365" in page.text
    assert "E74.0" in page.text
    revealed = client.post(f"{url}/identity", data={"csrf_token": token})
    assert "Nguyễn Thị Lan" in revealed.text


def test_the_registration_form_names_bad_fields(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    page = client.get("/registry/new")
    form = {
        "full_name": "X Y",
        "birth_date": "2020-01-01",
        "sex": "female",
        "province_code": "01",
        "diagnostic_status": "confirmed",
        "orpha_code": "ORPHA:0",
        "first_contact_date": "2099-01-01",
        "csrf_token": form_token(page.text),
    }
    response = client.post("/registry/new", data=form)
    assert response.status_code == 422
    assert "orpha_code" in response.text
    assert "first_contact_date" in response.text


def test_another_centre_cannot_open_the_page(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    patient_id = client.post("/api/registry/patients", json=patient_payload()).json()["id"]
    login(client, "clinician.b")
    assert client.get(f"/registry/patients/{patient_id}").status_code == 404
    assert "<code>RC-" not in client.get("/registry").text


def test_a_clinician_finds_a_person_by_cccd_on_the_registry_page(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    created = client.post("/api/registry/patients", json=patient_payload()).json()
    page = client.get("/registry", params={"id_kind": "cccd", "identifier": "001321012345"})
    assert page.status_code == 200
    assert created["pseudonym"] in page.text
    assert "001321012345" not in page.text.split('data-testid="patients"')[1]
    other = client.get("/registry", params={"id_kind": "cccd", "identifier": "001321099999"})
    table = other.text.split('data-testid="patients"')[1].split("</table>")[0]
    assert created["pseudonym"] not in table
    bad = client.get("/registry", params={"sort": "shoe-size"})
    assert bad.status_code == 422 and "sort" in bad.text
    listed = client.get("/registry", params={"status": "suspected", "sort": "pseudonym"})
    assert 'data-testid="registry-total"' in listed.text and created["pseudonym"] in listed.text
