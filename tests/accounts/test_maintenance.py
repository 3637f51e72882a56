"""Keeping accounts safe: the password policy, disabling, password change and reset, ending
sessions, demo accounts outside demo mode, and login limits that bursts cannot beat."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Role
from rarecare.accounts import service as accounts
from rarecare.accounts.models import LoginAttempt, User
from rarecare.accounts.schemas import UserIn
from rarecare.errors import (
    Conflict,
    NotAuthenticated,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from rarecare.storage import make_sessionmaker
from tests.conftest import PASSWORD, Cast, login

NEW_PASSWORD = "amber-lantern-orchard-9"


def _auth(db: Session, username: str, password: str, *, demo_mode: bool = False) -> User:
    return accounts.authenticate(
        session=db,
        username=username,
        password=password,
        client="10.0.0.1",
        max_failures=3,
        window_minutes=15,
        demo_mode=demo_mode,
    )


@pytest.mark.parametrize("password", ["1234567890", "password123", "admin12345", "qwertyuiop"])
def test_it_refuses_a_guessable_password(password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        UserIn(username="admin2", password=password, role=Role.ADMIN)
    assert caught.value.errors()[0]["loc"] == ("password",)


def test_it_refuses_a_password_made_of_the_users_own_name() -> None:
    with pytest.raises(ValidationError):
        UserIn(username="clinician.a", password="clinician.a2026", role=Role.MINISTRY)


def test_a_disabled_user_cannot_log_in_and_loses_every_session(db: Session, cast: Cast) -> None:
    user = _auth(db, "clinician.a", PASSWORD)
    token = accounts.start_session(session=db, user=user, hours=1)
    accounts.set_active(session=db, principal=cast.admin, user_id=user.id, active=False)
    assert accounts.resolve_session(session=db, token=token) is None
    with pytest.raises(NotAuthenticated):
        _auth(db, "clinician.a", PASSWORD)
    accounts.set_active(session=db, principal=cast.admin, user_id=user.id, active=True)
    assert _auth(db, "clinician.a", PASSWORD).is_active


def test_only_an_admin_disables_and_never_themselves(db: Session, cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        accounts.set_active(
            session=db, principal=cast.analyst, user_id=cast.clinician_a.user_id, active=False
        )
    with pytest.raises(ValidationFailed):
        accounts.set_active(
            session=db, principal=cast.admin, user_id=cast.admin.user_id, active=False
        )


def test_a_decision_on_a_user_changed_since_it_was_read_is_refused(db: Session, cast: Cast) -> None:
    user_id = cast.clinician_a.user_id
    read_at = accounts.get_user(session=db, principal=cast.admin, user_id=user_id).version
    accounts.set_active(
        session=db, principal=cast.admin, user_id=user_id, active=False, version=read_at
    )
    db.flush()
    with pytest.raises(Conflict) as caught:  # a second admin, from the same old page
        accounts.set_active(
            session=db, principal=cast.admin, user_id=user_id, active=False, version=read_at
        )
    assert f"version {read_at}, now {read_at + 1}" in caught.value.message


def test_changing_a_password_needs_the_current_one_and_a_strong_new_one(
    db: Session, cast: Cast
) -> None:
    user = _auth(db, "clinician.a", PASSWORD)
    here = accounts.start_session(session=db, user=user, hours=1)
    elsewhere = accounts.start_session(session=db, user=user, hours=1)
    with pytest.raises(ValidationFailed) as wrong:
        accounts.change_password(
            session=db,
            principal=cast.clinician_a,
            current_password="not-it",
            new_password=NEW_PASSWORD,
        )
    assert wrong.value.details[0].field == "current_password"
    with pytest.raises(ValidationFailed) as weak:
        accounts.change_password(
            session=db,
            principal=cast.clinician_a,
            current_password=PASSWORD,
            new_password="1234567890",
        )
    assert weak.value.details[0].field == "password"
    accounts.change_password(
        session=db,
        principal=cast.clinician_a,
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        keep_token=here,
    )
    assert accounts.resolve_session(session=db, token=here) is not None
    assert accounts.resolve_session(session=db, token=elsewhere) is None
    assert _auth(db, "clinician.a", NEW_PASSWORD).username == "clinician.a"


def test_an_admin_reset_sets_a_password_and_ends_every_session(db: Session, cast: Cast) -> None:
    user = _auth(db, "clinician.b", PASSWORD)
    token = accounts.start_session(session=db, user=user, hours=1)
    accounts.reset_password(
        session=db, principal=cast.admin, user_id=user.id, new_password=NEW_PASSWORD
    )
    assert accounts.resolve_session(session=db, token=token) is None
    assert _auth(db, "clinician.b", NEW_PASSWORD).id == user.id
    with pytest.raises(PermissionDenied):
        accounts.reset_password(
            session=db, principal=cast.clinician_a, user_id=user.id, new_password=NEW_PASSWORD
        )


def test_a_user_may_end_their_own_sessions_but_not_anothers(db: Session, cast: Cast) -> None:
    user = _auth(db, "clinician.a", PASSWORD)
    accounts.start_session(session=db, user=user, hours=1)
    assert accounts.revoke_sessions(session=db, principal=cast.clinician_a, user_id=user.id) == 1
    with pytest.raises(PermissionDenied):
        accounts.revoke_sessions(
            session=db, principal=cast.clinician_a, user_id=cast.clinician_b.user_id
        )


def test_demo_accounts_only_work_in_demo_mode(db: Session, cast: Cast) -> None:
    user = accounts.get_user_by_username(session=db, username="analyst")
    assert user is not None
    user.is_demo = True
    with pytest.raises(NotAuthenticated) as refused:
        _auth(db, "analyst", PASSWORD)
    assert "demo" in refused.value.message.lower()
    assert _auth(db, "analyst", PASSWORD, demo_mode=True).username == "analyst"


def test_a_burst_of_simultaneous_guesses_cannot_pass_the_limit(engine: Engine) -> None:
    """Twelve guesses at once from one address: at most ``max_failures`` are even checked."""
    maker = make_sessionmaker(engine)
    name = f"burst.{secrets.token_hex(3)}"
    with maker() as session, session.begin():
        accounts.create_user(
            session=session,
            principal=SYSTEM,
            data=UserIn(username=name, password=PASSWORD, role=Role.MINISTRY),
        )

    def guess(_: int) -> str:
        with maker() as session:
            try:
                accounts.authenticate(
                    session=session,
                    username=name,
                    password="wrong-guess",
                    client="203.0.113.9",
                    max_failures=3,
                    window_minutes=15,
                )
            except NotAuthenticated:
                session.commit()  # the failure is kept, as the login route does
                return "checked"
            except RateLimited:
                session.rollback()
                return "limited"
            session.commit()
        return "accepted"

    try:
        with ThreadPoolExecutor(6) as pool:
            outcomes = list(pool.map(guess, range(12)))
        assert outcomes.count("accepted") == 0
        assert outcomes.count("checked") <= 3
    finally:
        with maker() as session, session.begin():
            session.execute(delete(LoginAttempt).where(LoginAttempt.key.startswith(name)))
            session.execute(delete(User).where(User.username == name))


def test_the_account_page_changes_the_password(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    token = client.headers["X-CSRF-Token"]
    weak = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "1234567890",
            "confirm_password": "1234567890",
            "csrf_token": token,
        },
    )
    assert weak.status_code == 422 and 'data-testid="errors"' in weak.text
    done = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get("/api/me").status_code == 200  # this session stays


def test_the_admin_page_disables_resets_and_names_bad_input(client: TestClient, cast: Cast) -> None:
    login(client, "admin")
    token = client.headers["X-CSRF-Token"]
    target = cast.clinician_b.user_id
    disabled = client.post(
        f"/admin/users/{target}/active",
        data={"active": "false", "csrf_token": token},
        follow_redirects=False,
    )
    assert disabled.status_code == 303
    users = {u["username"]: u for u in client.get("/api/users").json()}
    assert users["clinician.b"]["is_active"] is False
    weak = client.post(
        f"/admin/users/{target}/password", data={"new_password": "short", "csrf_token": token}
    )
    assert weak.status_code == 422
    long_name = client.post(
        "/admin/users",
        data={
            "username": "dr.long",
            "password": NEW_PASSWORD,
            "role": "ministry",
            "display_name": "x" * 300,
            "csrf_token": token,
        },
    )
    assert long_name.status_code == 422 and "display_name" in long_name.text


def test_what_a_logged_in_user_sees_is_never_cached(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    assert client.get("/api/me").headers["cache-control"] == "no-store"
    assert client.get("/account").headers["cache-control"] == "no-store"
