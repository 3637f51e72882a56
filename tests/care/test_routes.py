from fastapi.testclient import TestClient

from tests.conftest import Cast, login


def test_it_lists_centres_publicly(client: TestClient, cast: Cast) -> None:
    codes = {c["code"] for c in client.get("/api/centres").json()}
    assert {"CENTRE-A", "CENTRE-B"} <= codes


def test_a_clinician_sees_the_staff_of_their_own_centre(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    response = client.get(f"/api/centres/{cast.centre_a}/staff")
    assert response.status_code == 200
    assert {s["username"] for s in response.json()} == {"clinician.a", "datamanager.a"}


def test_a_clinician_of_centre_a_gets_404_for_centre_b(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    api = client.get(f"/api/centres/{cast.centre_b}/staff")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    page = client.get(f"/centres/{cast.centre_b}")
    assert page.status_code == 404
    assert "clinician.b" not in page.text.lower()


def test_a_data_manager_of_centre_a_gets_404_for_centre_b(client: TestClient, cast: Cast) -> None:
    login(client, "datamanager.a")
    assert client.get(f"/api/centres/{cast.centre_b}/staff").status_code == 404


def test_national_roles_see_every_centres_staff(client: TestClient, cast: Cast) -> None:
    for username in ("analyst", "admin"):
        login(client, username)
        assert client.get(f"/api/centres/{cast.centre_b}/staff").status_code == 200


def test_only_admins_register_centres(client: TestClient, cast: Cast) -> None:
    body = {"code": "NEW-C", "name": "New centre", "level": "provincial", "province_code": "46"}
    login(client, "clinician.a")
    assert client.post("/api/centres", json=body).status_code == 403
    login(client, "admin")
    assert client.post("/api/centres", json=body).status_code == 201


def test_it_names_a_bad_province_code(client: TestClient, cast: Cast) -> None:
    login(client, "admin")
    body = {"code": "BAD-P", "name": "Bad", "level": "provincial", "province_code": "99"}
    response = client.post("/api/centres", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "province_code"
