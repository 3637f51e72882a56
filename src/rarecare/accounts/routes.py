"""Login, logout and user administration: pages and JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from rarecare.access import Principal, Role
from rarecare.accounts import service
from rarecare.accounts.schemas import LoginIn, MeOut, UserIn, UserOut
from rarecare.care import service as care
from rarecare.errors import NotAuthenticated, RareCareError
from rarecare.web.deps import (
    SESSION_COOKIE,
    Admin,
    AppSettings,
    CurrentUser,
    DbSession,
)
from rarecare.web.security import csrf_token_for
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["accounts"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _login(
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
        )
    except NotAuthenticated:
        session.commit()  # keep the failed attempt: it counts towards the rate limit
        raise
    token = service.start_session(session=session, user=user, hours=settings.session_hours)
    return service.principal_for(user), token


def _set_session_cookie(response: Response, token: str, settings: AppSettings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookies_secure,
        path="/",
    )


@pages.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "username": ""})


@pages.post("/login", response_model=None)
def login_submit(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        _, token = _login(
            request, session, settings, LoginIn(username=username or "-", password=password or "-")
        )
    except NotAuthenticated as exc:
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": exc.message, "username": username},
            status_code=401,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_session_cookie(response, token, settings)
    return response


@pages.post("/logout")
def logout_submit(request: Request, session: DbSession) -> RedirectResponse:
    service.end_session(session=session, token=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@pages.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    centre = care.get_centre(session=session, centre_id=user.centre_id) if user.centre_id else None
    return render(request, "account.html", {"centre": centre})


@pages.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, admin: Admin, session: DbSession) -> HTMLResponse:
    return render(
        request,
        "users.html",
        {
            "users": service.list_users(session=session, principal=admin),
            "centres": care.list_centres(session=session),
            "roles": list(Role),
            "errors": [],
            "form": {},
        },
    )


@pages.post("/admin/users", response_model=None)
def users_create(
    request: Request,
    admin: Admin,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    centre_code: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "username": username,
        "role": role,
        "centre_code": centre_code,
        "display_name": display_name,
    }
    try:
        data = UserIn.model_validate(
            {**form, "password": password, "centre_code": centre_code or None}
        )
        service.create_user(session=session, principal=admin, data=data)
    except RareCareError as exc:
        session.rollback()
        return render(
            request,
            "users.html",
            {
                "users": service.list_users(session=session, principal=admin),
                "centres": care.list_centres(session=session),
                "roles": list(Role),
                "errors": [exc.message, *(str(d) for d in exc.details)],
                "form": form,
            },
            status_code=exc.status_code,
        )
    return RedirectResponse("/admin/users", status_code=303)


@api.post("/auth/login", response_model=MeOut)
def api_login(
    request: Request, data: LoginIn, session: DbSession, settings: AppSettings, response: Response
) -> MeOut:
    """Log in; sets the session cookie (HttpOnly). JSON bodies need no CSRF token."""
    principal, token = _login(request, session, settings, data)
    _set_session_cookie(response, token, settings)
    return _me(principal, session)


@api.post("/auth/logout", status_code=204)
def api_logout(request: Request, session: DbSession, response: Response) -> None:
    service.end_session(session=session, token=request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")


def _me(principal: Principal, session: DbSession) -> MeOut:
    centre = (
        care.get_centre(session=session, centre_id=principal.centre_id)
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
