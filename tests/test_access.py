import pytest

from rarecare.access import Principal, Role, centre_scope, ensure_centre_access, require_role
from rarecare.errors import NotAuthenticated, NotFound, PermissionDenied

CLINICIAN_A = Principal(user_id=1, username="a", role=Role.CLINICIAN, centre_id=1)
ANALYST = Principal(user_id=2, username="m", role=Role.MINISTRY)


def test_it_lets_a_clinician_into_their_own_centre() -> None:
    assert ensure_centre_access(CLINICIAN_A, 1) is CLINICIAN_A


def test_it_answers_not_found_for_another_centre() -> None:
    with pytest.raises(NotFound):
        ensure_centre_access(CLINICIAN_A, 2)


def test_it_accepts_a_record_shared_with_the_clinicians_centre() -> None:
    assert ensure_centre_access(CLINICIAN_A, {2, 1}) is CLINICIAN_A


def test_it_lets_national_roles_see_every_centre() -> None:
    assert ensure_centre_access(ANALYST, 2) is ANALYST
    assert centre_scope(ANALYST) is None


def test_it_asks_anonymous_users_to_log_in() -> None:
    with pytest.raises(NotAuthenticated):
        ensure_centre_access(None, 1)


def test_it_refuses_a_role_that_is_not_allowed() -> None:
    with pytest.raises(PermissionDenied):
        require_role(CLINICIAN_A, Role.ADMIN)


def test_it_refuses_a_centre_role_without_a_centre() -> None:
    orphan = Principal(user_id=3, username="o", role=Role.CLINICIAN, centre_id=None)
    with pytest.raises(PermissionDenied):
        centre_scope(orphan)
