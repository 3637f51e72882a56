from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from rarecare.errors import FieldError, ValidationFailed


def test_api_errors_are_json_with_a_code_and_message(client: TestClient) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()["error"]
    assert body["code"]
    assert body["message"]
    assert body["request_id"]


def test_page_errors_are_html_pages(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>404" in response.text


def test_request_validation_errors_name_the_field(client: TestClient) -> None:
    response = client.post("/api/auth/login", json={"username": "x"})
    assert response.status_code == 422
    fields = [d["field"] for d in response.json()["error"]["details"]]
    assert "password" in fields


def test_field_errors_carry_row_and_field(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/api/test-invalid")
    def invalid() -> None:
        raise ValidationFailed("Bad file.", [FieldError("orpha_code", "unknown code", row=7)])

    app.include_router(router)
    with TestClient(app) as client:
        detail = client.get("/api/test-invalid").json()["error"]["details"][0]
    assert detail == {"field": "orpha_code", "row": 7, "message": "unknown code"}


def test_unexpected_errors_show_no_stack_trace(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_a_simultaneous_save_of_the_same_version_is_a_conflict_and_an_unexpected_error_keeps_its_headers(
    app: FastAPI,
) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    router = APIRouter()

    @router.get("/api/test-stale")
    def stale() -> None:
        raise StaleDataError("UPDATE matched 0 rows")

    @router.get("/test-crash")
    def crash() -> None:
        raise RuntimeError("boom")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/test-stale").status_code == 409
        crashed = client.get("/test-crash")
        assert crashed.status_code == 500
        assert crashed.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in crashed.headers["content-security-policy"]
