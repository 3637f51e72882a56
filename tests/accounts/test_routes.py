import re

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, Cast, login


def _csrf(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_it_logs_in_through_the_form_and_shows_the_user(client: TestClient, cast: Cast) -> None:
    token = _csrf(client)
    response = client.post(
        "/login",
        data={
            "username": "clinician.a",
            "password": PASSWORD,
            "next": "/account",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    cookie = response.headers["set-cookie"]
    assert "rarecare_session=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Clinician.A" in client.get("/account").text


def test_it_refuses_a_form_post_without_the_csrf_token(client: TestClient, cast: Cast) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "clinician.a", "password": PASSWORD})
    assert response.status_code == 403
    assert "rarecare_session" not in response.headers.get("set-cookie", "")


def test_it_refuses_a_json_post_from_a_foreign_origin(client: TestClient, cast: Cast) -> None:
    response = client.post(
        "/api/auth/login",
        json={"username": "admin", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_it_shows_a_wrong_password_on_the_login_page(client: TestClient, cast: Cast) -> None:
    token = _csrf(client)
    response = client.post(
        "/login", data={"username": "clinician.a", "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 401
    assert 'data-testid="login-error"' in response.text


def test_it_answers_429_after_too_many_failed_logins(client: TestClient, cast: Cast) -> None:
    for _ in range(3):
        assert (
            client.post("/api/auth/login", json={"username": "admin", "password": "x"}).status_code
            == 401
        )
    response = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response.headers["retry-after"]) > 0


def test_it_logs_each_demo_role_in_and_out(client: TestClient, cast: Cast) -> None:
    for username, role in [
        ("clinician.a", "clinician"),
        ("datamanager.a", "data_manager"),
        ("analyst", "ministry"),
        ("admin", "admin"),
    ]:
        login(client, username)
        assert client.get("/api/me").json()["role"] == role
        assert client.post("/api/auth/logout", json={}).status_code == 204
        assert client.get("/api/me").status_code == 401


def test_it_redirects_anonymous_pages_to_the_login_form(client: TestClient) -> None:
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


def test_it_lets_an_admin_create_a_user_through_the_form(client: TestClient, cast: Cast) -> None:
    login(client, "admin")
    token = _csrf(client, "/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "username": "dr.new",
            "password": "a-long-password",
            "role": "clinician",
            "centre_code": "CENTRE-B",
            "display_name": "Dr New",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert any(u["username"] == "dr.new" for u in client.get("/api/users").json())


def test_it_names_the_field_when_the_admin_form_is_wrong(client: TestClient, cast: Cast) -> None:
    login(client, "admin")
    token = _csrf(client, "/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "username": "dr.new2",
            "password": "a-long-password",
            "role": "clinician",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "centre_code" in response.text


def test_it_keeps_the_user_admin_pages_from_other_roles(client: TestClient, cast: Cast) -> None:
    login(client, "analyst")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/api/users").status_code == 403


def test_an_admin_moves_a_clinician_to_another_centre_and_their_session_ends(
    client: TestClient, cast: Cast
) -> None:
    other = TestClient(client.app)
    login(other, "clinician.a")
    assert other.get("/api/me").status_code == 200
    login(client, "admin")
    token = _csrf(client, "/admin/users")
    assert cast.clinician_a.user_id is not None
    moved = client.post(
        f"/admin/users/{cast.clinician_a.user_id}",
        data={
            "role": "clinician",
            "centre_code": "CENTRE-B",
            "display_name": "Dr A, now at B",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    [user] = [u for u in client.get("/api/users").json() if u["username"] == "clinician.a"]
    assert user["centre_id"] == cast.centre_b and user["display_name"] == "Dr A, now at B"
    assert other.get("/api/me").status_code == 401
    national = client.post(
        f"/admin/users/{cast.clinician_a.user_id}",
        data={"role": "ministry", "centre_code": "CENTRE-B", "csrf_token": token},
    )
    assert national.status_code == 422 and "centre_code" in national.text


def test_an_admin_cannot_change_their_own_role(client: TestClient, cast: Cast) -> None:
    login(client, "admin")
    assert cast.admin.user_id is not None
    response = client.put(f"/api/users/{cast.admin.user_id}", json={"role": "ministry"})
    assert response.status_code == 422 and "role" in response.text
