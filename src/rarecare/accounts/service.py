"""Users, password hashing (argon2id), login sessions and login rate limiting."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rarecare.access import (
    CENTRE_ROLES,
    Principal,
    Role,
    ensure_centre_access,
    require_authenticated,
    require_role,
)
from rarecare.accounts.models import AuthSession, LoginAttempt, User
from rarecare.accounts.passwords import weakness
from rarecare.accounts.schemas import UserIn, UserUpdateIn
from rarecare.audit import service as audit
from rarecare.centres import service as centres
from rarecare.errors import (
    Conflict,
    FieldError,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from rarecare.i18n import N_, _
from rarecare.storage import utcnow
from rarecare.storage.versioning import check_version

_hasher = PasswordHasher()
# Verifying against this keeps the time of a failed login the same whether or not the user exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def principal_for(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        centre_id=user.centre_id,
        display_name=user.display_name or user.username,
    )


def create_user(*, session: Session, principal: Principal | None, data: UserIn) -> User:
    """Create a user (admins, or the system principal from the CLI)."""
    actor = require_role(principal, Role.ADMIN)
    centre_id = _centre_of_role(session, data.role, data.centre_code)
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(_("The user name %(name)s is taken.") % {"name": data.username})
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        role=data.role,
        centre_id=centre_id,
    )
    session.add(user)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="user",
        object_id=user.id,
        centre_id=centre_id,
        detail={"username": user.username, "role": user.role.value},
    )
    return user


def _centre_of_role(session: Session, role: Role, centre_code: str | None) -> int | None:
    """The centre a user of ``role`` belongs to: required for centre roles, refused for
    national ones."""
    if role in CENTRE_ROLES:
        if not centre_code:
            raise ValidationFailed(
                _("Invalid user."),
                [FieldError("centre_code", N_("required for a centre's role"))],
            )
        return centres.get_centre_by_code(session=session, code=centre_code).id
    if centre_code:
        raise ValidationFailed(
            _("Invalid user."),
            [FieldError("centre_code", N_("the role is national, not a centre's"))],
        )
    return None


def update_user(
    *, session: Session, principal: Principal | None, user_id: int, data: UserUpdateIn
) -> User:
    """Change a user's name, role or centre (admins; not their own role). A new role or centre
    ends the user's sessions: their next request signs in with the new rights."""
    actor = require_role(principal, Role.ADMIN)
    user = get_user(session=session, principal=actor, user_id=user_id)
    check_version(user, data.version, data.model_dump(exclude={"version", "centre_code"}))
    centre_id = _centre_of_role(session, data.role, data.centre_code)
    if user.id == actor.user_id and data.role != user.role:
        raise ValidationFailed(
            _("You cannot change your own role."), [FieldError("role", N_("yourself"))]
        )
    rights_changed = (user.role, user.centre_id) != (data.role, centre_id)
    before = {"role": user.role.value, "centre_id": user.centre_id, "name": user.display_name}
    user.display_name = data.display_name
    user.role = data.role
    user.centre_id = centre_id
    if rights_changed:
        _end_sessions(session, user.id)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="user",
        object_id=user.id,
        centre_id=centre_id,
        detail={"before": before, "role": user.role.value, "centre_id": centre_id},
    )
    return user


def usernames(*, session: Session, user_ids: Sequence[int]) -> dict[int, str]:
    """The usernames of these users (names other packages show beside their own records)."""
    if not user_ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())


def get_user_by_username(*, session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def users_of_centre(
    *, session: Session, principal: Principal | None, centre_id: int
) -> Sequence[User]:
    """A centre's staff: visible to that centre's own staff and to national roles only."""
    ensure_centre_access(principal, centre_id)
    centres.get_centre(session=session, centre_id=centre_id)
    return session.scalars(
        select(User).where(User.centre_id == centre_id, User.is_active).order_by(User.username)
    ).all()


def list_users(*, session: Session, principal: Principal | None) -> Sequence[User]:
    require_role(principal, Role.ADMIN)
    return session.scalars(select(User).order_by(User.username)).all()


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    client: str,
    max_failures: int,
    window_minutes: int,
    demo_mode: bool = False,
) -> User:
    """Check a password; refuse after ``max_failures`` failures in the window for this user name
    and client address. The attempt is counted before the (slow) check, under a lock on its
    key, so a burst of simultaneous guesses cannot get past the limit; a success clears the
    count. Failures are written even when the caller's transaction fails later. Demo accounts
    (published passwords) only work in demo mode."""
    key = f"{username.lower()}|{client}"[:200]
    _lock_key(session, key)
    session.add(LoginAttempt(key=key))
    session.flush()
    since = utcnow() - timedelta(minutes=window_minutes)
    attempts = session.scalar(
        select(func.count()).where(LoginAttempt.key == key, LoginAttempt.at >= since)
    )
    if (attempts or 0) > max_failures:
        raise RateLimited(
            _("Too many failed logins. Try again in a few minutes."),
            retry_after_seconds=window_minutes * 60,
        )
    user = get_user_by_username(session=session, username=username.lower())
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.is_active
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        raise NotAuthenticated(_("Wrong user name or password."))
    if user.is_demo and not demo_mode:
        raise NotAuthenticated(_("Demo accounts only work in demo mode."))
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record(
        session=session,
        actor=principal_for(user),
        action="login",
        object_type="user",
        object_id=user.id,
        centre_id=user.centre_id,
    )
    return user


def _lock_key(session: Session, key: str) -> None:
    """Serialise the logins of one key until the transaction ends (PostgreSQL: an advisory lock;
    SQLite's transactions already hold the database's write lock)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))


# ------------------------------------------------------------------- account maintenance
def get_user(*, session: Session, principal: Principal | None, user_id: int) -> User:
    require_role(principal, Role.ADMIN)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def set_active(
    *,
    session: Session,
    principal: Principal | None,
    user_id: int,
    active: bool,
    version: int | None = None,
) -> User:
    """Disable a user (their sessions end at once) or enable them again (admins; not
    themselves). ``version``: the user's version it was decided on (changed since: 409)."""
    actor = require_role(principal, Role.ADMIN)
    user = get_user(session=session, principal=actor, user_id=user_id)
    check_version(user, version, {"is_active": active})
    if user.id == actor.user_id and not active:
        raise ValidationFailed(
            _("You cannot disable your own account."), [FieldError("user", N_("yourself"))]
        )
    user.is_active = active
    if not active:
        _end_sessions(session, user.id)
    audit.record(
        session=session,
        actor=actor,
        action="enable_user" if active else "disable_user",
        object_type="user",
        object_id=user.id,
        centre_id=user.centre_id,
    )
    return user


def _check_strength(user: User, password: str) -> None:
    problem = weakness(password, user_inputs=(user.username, user.display_name))
    if problem:
        raise ValidationFailed(_("The new password is refused."), [FieldError("password", problem)])


def change_password(
    *,
    session: Session,
    principal: Principal | None,
    current_password: str,
    new_password: str,
    keep_token: str | None = None,
) -> None:
    """A user changes their own password; their other sessions end (not ``keep_token``'s)."""
    actor = require_authenticated(principal)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotAuthenticated()
    try:
        _hasher.verify(user.password_hash, current_password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise ValidationFailed(
            _("The current password is wrong."), [FieldError("current_password", N_("wrong"))]
        ) from None
    _check_strength(user, new_password)
    user.password_hash = hash_password(new_password)
    user.is_demo = False  # no longer the published password
    _end_sessions(session, user.id, keep=_token_hash(keep_token) if keep_token else None)
    audit.record(
        session=session,
        actor=actor,
        action="change_password",
        object_type="user",
        object_id=user.id,
        centre_id=user.centre_id,
    )


def reset_password(
    *, session: Session, principal: Principal | None, user_id: int, new_password: str
) -> None:
    """An administrator sets a new password (to hand over in person); every session ends."""
    actor = require_role(principal, Role.ADMIN)
    user = get_user(session=session, principal=actor, user_id=user_id)
    _check_strength(user, new_password)
    user.password_hash = hash_password(new_password)
    user.is_demo = False
    _end_sessions(session, user.id)
    session.execute(delete(LoginAttempt).where(LoginAttempt.key.startswith(f"{user.username}|")))
    audit.record(
        session=session,
        actor=actor,
        action="reset_password",
        object_type="user",
        object_id=user.id,
        centre_id=user.centre_id,
    )


def revoke_sessions(*, session: Session, principal: Principal | None, user_id: int) -> int:
    """End every login session of a user (admins, or the user themselves); returns how many."""
    actor = require_authenticated(principal)
    if actor.user_id != user_id:
        require_role(actor, Role.ADMIN)
    ended = _end_sessions(session, user_id)
    audit.record(
        session=session,
        actor=actor,
        action="revoke_sessions",
        object_type="user",
        object_id=user_id,
        detail={"sessions": ended},
    )
    return ended


def _end_sessions(session: Session, user_id: int, keep: str | None = None) -> int:
    query = delete(AuthSession).where(AuthSession.user_id == user_id)
    if keep is not None:
        query = query.where(AuthSession.token_hash != keep)
    result = session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(*, session: Session, user: User, hours: int) -> str:
    """Create a login session; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    session.flush()
    return token


def resolve_session(*, session: Session, token: str | None) -> Principal | None:
    if not token:
        return None
    row = session.execute(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    auth_session, user = row
    if auth_session.expires_at <= utcnow() or not user.is_active:
        return None
    return principal_for(user)


def end_session(*, session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))
