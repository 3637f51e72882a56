"""The one input guard: control characters and oversized texts are refused with a 422 naming
the field, whether they come in a query, a form or a JSON body, and whatever is written through
the ORM is bounded by its column on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.access import Role
from rarecare.accounts.models import User
from rarecare.errors import ValidationFailed
from tests.conftest import Cast, login
from tests.registry.conftest import patient_payload


def _fields(response: object) -> list[str]:
    return [d["field"] for d in response.json()["error"]["details"]]  # type: ignore[attr-defined]


def test_a_nul_in_a_json_field_is_refused_naming_the_field(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    payload = patient_payload()
    payload["identity"]["full_name"] = "Nguyễn\x00Lan"
    response = client.post("/api/registry/patients", json=payload)
    assert response.status_code == 422
    assert _fields(response) == ["identity.full_name"]


def test_a_control_character_in_a_query_is_refused(client: TestClient) -> None:
    response = client.get("/api/catalogue/search", params={"q": "pom\x00pe"})
    assert response.status_code == 422
    assert _fields(response) == ["q"]


def test_a_control_character_in_a_form_field_is_refused(client: TestClient, cast: Cast) -> None:
    login(client, "admin")
    response = client.post(
        "/admin/users",
        data={
            "username": "dr.bell",
            "password": "amber-lantern-orchard-9",
            "role": "ministry",
            "display_name": "Dr\x07Bell",
            "csrf_token": client.headers["X-CSRF-Token"],
        },
    )
    assert response.status_code == 422
    assert "display_name" in response.text


def test_an_oversized_text_is_refused_before_any_route(client: TestClient) -> None:
    response = client.get("/api/catalogue/search", params={"q": "a" * 20_001})
    assert response.status_code == 422
    assert _fields(response) == ["q"]


def test_vietnamese_text_tabs_and_newlines_pass(client: TestClient) -> None:
    response = client.get("/api/catalogue/search", params={"q": "bệnh Pompe\t"})
    assert response.status_code == 200


def test_every_orm_write_is_bounded_by_its_column(db: Session, cast: Cast) -> None:
    db.add(User(username="u" * 65, password_hash="x", role=Role.MINISTRY))
    with pytest.raises(ValidationFailed) as caught:
        db.flush()
    assert [(d.field, d.message) for d in caught.value.details] == [
        ("username", "at most 64 characters")
    ]
    db.rollback()


def test_a_nul_never_reaches_the_database(db: Session, cast: Cast) -> None:
    user = db.get(User, cast.analyst.user_id)
    assert user is not None
    user.display_name = "Chuyên viên\x00"
    with pytest.raises(ValidationFailed) as caught:
        db.flush()
    assert caught.value.details[0].field == "display_name"
    db.rollback()


def test_a_number_beyond_what_the_database_stores_is_refused(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    response = client.get(f"/api/registry/patients/{2**40}")
    assert response.status_code == 422
    assert _fields(response) == ["patient_id"]
    body = client.put("/api/centres/1/stock", json={"drug": "x", "on_hand": 2**70})
    assert body.status_code == 422
