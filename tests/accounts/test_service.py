import pytest
from sqlalchemy.orm import Session

from rarecare.access import Role
from rarecare.accounts import service as accounts
from rarecare.accounts.models import User
from rarecare.accounts.schemas import UserIn
from rarecare.errors import (
    Conflict,
    NotAuthenticated,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from tests.conftest import PASSWORD, Cast


def _auth(db: Session, username: str, password: str, client: str = "10.0.0.1") -> User:
    return accounts.authenticate(
        session=db,
        username=username,
        password=password,
        client=client,
        max_failures=3,
        window_minutes=15,
    )


def test_it_stores_passwords_as_argon2_hashes(db: Session, cast: Cast) -> None:
    user = accounts.get_user_by_username(session=db, username="clinician.a")
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_it_authenticates_the_right_password(db: Session, cast: Cast) -> None:
    user = _auth(db, "clinician.a", PASSWORD)
    assert user.username == "clinician.a"


def test_it_rejects_a_wrong_password_and_an_unknown_user_alike(db: Session, cast: Cast) -> None:
    with pytest.raises(NotAuthenticated) as wrong:
        _auth(db, "clinician.a", "nope")
    with pytest.raises(NotAuthenticated) as unknown:
        _auth(db, "nobody", "nope")
    assert wrong.value.message == unknown.value.message


def test_it_rate_limits_repeated_failures_even_with_the_right_password(
    db: Session, cast: Cast
) -> None:
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            _auth(db, "clinician.a", "wrong-password")
    with pytest.raises(RateLimited):
        _auth(db, "clinician.a", PASSWORD)
    # another client address is not locked out
    assert _auth(db, "clinician.a", PASSWORD, client="10.0.0.2") is not None


def test_it_resolves_and_ends_login_sessions(db: Session, cast: Cast) -> None:
    user = accounts.get_user_by_username(session=db, username="analyst")
    assert user is not None
    token = accounts.start_session(session=db, user=user, hours=1)
    principal = accounts.resolve_session(session=db, token=token)
    assert principal is not None
    assert principal.role is Role.MINISTRY
    accounts.end_session(session=db, token=token)
    assert accounts.resolve_session(session=db, token=token) is None
    assert accounts.resolve_session(session=db, token="forged") is None


def test_it_requires_a_centre_for_centre_roles(db: Session, cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as err:
        accounts.create_user(
            session=db,
            principal=cast.admin,
            data=UserIn(username="new.doc", password=PASSWORD, role=Role.CLINICIAN),
        )
    assert err.value.details[0].field == "centre_code"


def test_it_refuses_a_taken_user_name(db: Session, cast: Cast) -> None:
    with pytest.raises(Conflict):
        accounts.create_user(
            session=db,
            principal=cast.admin,
            data=UserIn(username="analyst", password=PASSWORD, role=Role.MINISTRY),
        )


def test_it_lets_only_admins_create_users(db: Session, cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        accounts.create_user(
            session=db,
            principal=cast.analyst,
            data=UserIn(username="sneaky", password=PASSWORD, role=Role.ADMIN),
        )


def test_it_shows_a_centres_staff_to_its_own_clinicians_only(db: Session, cast: Cast) -> None:
    staff = accounts.users_of_centre(
        session=db, principal=cast.clinician_a, centre_id=cast.centre_a
    )
    assert {u.username for u in staff} == {"clinician.a", "datamanager.a"}
    from rarecare.errors import NotFound

    with pytest.raises(NotFound):
        accounts.users_of_centre(session=db, principal=cast.clinician_a, centre_id=cast.centre_b)
