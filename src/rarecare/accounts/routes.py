"""Accounts JSON API: login, logout, the current user, user administration, centre staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from rarecare.access import Principal
from rarecare.accounts import service
from rarecare.accounts.schemas import (
    LoginIn,
    MeOut,
    PasswordChangeIn,
    PasswordResetIn,
    StaffMemberOut,
    UserIn,
    UserOut,
    UserUpdateIn,
)
from rarecare.centres import service as centres
from rarecare.errors import NotAuthenticated
from rarecare.web.deps import (
    SESSION_COOKIE,
    Admin,
    AppSettings,
    CurrentUser,
    DbSession,
)
from rarecare.web.security import csrf_token_for

api = APIRouter(prefix="/api", tags=["accounts"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def log_in(
    request: Request, session: DbSession, settings: AppSettings, data: LoginIn
) -> tuple[Principal, str]:
    try:
        user = service.authenticate(
            session=session,
            username=data.username,
            password=data.password,
            client=_client(request),
            max_failures=settings.login_max_failures,
            window_minutes=settings.login_window_minutes,
            demo_mode=settings.demo,
        )
    except NotAuthenticated:
        session.commit()  # keep the failed attempt: it counts towards the rate limit
        raise
    token = service.start_session(session=session, user=user, hours=settings.session_hours)
    return service.principal_for(user), token


def set_session_cookie(response: Response, token: str, settings: AppSettings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookies_secure,
        path="/",
    )


@api.post("/auth/login", response_model=MeOut)
def apilog_in(
    request: Request, data: LoginIn, session: DbSession, settings: AppSettings, response: Response
) -> MeOut:
    """Log in; sets the session cookie (HttpOnly). JSON bodies need no CSRF token."""
    principal, token = log_in(request, session, settings, data)
    set_session_cookie(response, token, settings)
    return _me(principal, session)


@api.post("/auth/logout", status_code=204)
def api_logout(request: Request, session: DbSession, response: Response) -> None:
    service.end_session(session=session, token=request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")


def _me(principal: Principal, session: DbSession) -> MeOut:
    centre = (
        centres.get_centre(session=session, centre_id=principal.centre_id)
        if principal.centre_id
        else None
    )
    return MeOut(
        user_id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        centre_id=principal.centre_id,
        centre_name=centre.name if centre else None,
    )


@api.get("/auth/csrf")
def api_csrf(request: Request) -> dict[str, str]:
    """A CSRF token (also set as a cookie): send it as ``X-CSRF-Token`` with form or file
    uploads (multipart); JSON requests need none."""
    return {"csrf_token": csrf_token_for(request), "header": "X-CSRF-Token"}


@api.get("/me", response_model=MeOut)
def api_me(user: CurrentUser, session: DbSession) -> MeOut:
    """The logged-in user."""
    return _me(user, session)


@api.get("/users", response_model=list[UserOut])
def api_users(admin: Admin, session: DbSession) -> list[UserOut]:
    """All users (admins)."""
    return [UserOut.model_validate(u) for u in service.list_users(session=session, principal=admin)]


@api.post("/users", response_model=UserOut, status_code=201)
def api_create_user(data: UserIn, admin: Admin, session: DbSession) -> UserOut:
    """Create a user (admins). Centre roles need ``centre_code``."""
    return UserOut.model_validate(service.create_user(session=session, principal=admin, data=data))


@api.put("/users/{user_id}", response_model=UserOut)
def api_update_user(user_id: int, data: UserUpdateIn, admin: Admin, session: DbSession) -> UserOut:
    """Change a user's name, role or centre (admins; a new role or centre ends their
    sessions; ``version``: changed since, 409)."""
    return UserOut.model_validate(
        service.update_user(session=session, principal=admin, user_id=user_id, data=data)
    )


@api.post("/users/{user_id}/disable", response_model=UserOut)
def api_disable_user(
    user_id: int,
    admin: Admin,
    session: DbSession,
    version: Annotated[
        int | None, Query(description="The version it was read at (changed since: 409)")
    ] = None,
) -> UserOut:
    """Disable a user: they cannot log in and their sessions end at once (admins)."""
    user = service.set_active(
        session=session, principal=admin, user_id=user_id, active=False, version=version
    )
    return UserOut.model_validate(user)


@api.post("/users/{user_id}/enable", response_model=UserOut)
def api_enable_user(
    user_id: int,
    admin: Admin,
    session: DbSession,
    version: Annotated[
        int | None, Query(description="The version it was read at (changed since: 409)")
    ] = None,
) -> UserOut:
    """Enable a disabled user again (admins)."""
    user = service.set_active(
        session=session, principal=admin, user_id=user_id, active=True, version=version
    )
    return UserOut.model_validate(user)


@api.post("/users/{user_id}/password", status_code=204)
def api_reset_password(
    user_id: int, data: PasswordResetIn, admin: Admin, session: DbSession
) -> None:
    """Set a new password for a user (admins); every session of theirs ends."""
    service.reset_password(
        session=session, principal=admin, user_id=user_id, new_password=data.new_password
    )


@api.delete("/users/{user_id}/sessions")
def api_revoke_sessions(user_id: int, user: CurrentUser, session: DbSession) -> dict[str, int]:
    """End every login session of a user (admins, or users for themselves)."""
    return {"ended": service.revoke_sessions(session=session, principal=user, user_id=user_id)}


@api.post("/me/password", status_code=204)
def api_change_password(
    data: PasswordChangeIn, request: Request, user: CurrentUser, session: DbSession
) -> None:
    """Change your own password; your other sessions end, this one stays."""
    service.change_password(
        session=session,
        principal=user,
        current_password=data.current_password,
        new_password=data.new_password,
        keep_token=request.cookies.get(SESSION_COOKIE),
    )


@api.get("/centres/{centre_id}/staff", response_model=list[StaffMemberOut], tags=["centres"])
def api_centre_staff(centre_id: int, user: CurrentUser, session: DbSession) -> list[StaffMemberOut]:
    """A centre's staff: its own staff and national roles only; another centre gets 404."""
    staff = service.users_of_centre(session=session, principal=user, centre_id=centre_id)
    return [StaffMemberOut.model_validate(u) for u in staff]
