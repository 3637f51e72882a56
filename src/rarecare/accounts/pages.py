"""Accounts pages: login, logout, the account page and user administration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from rarecare.access import Principal, Role
from rarecare.accounts import service
from rarecare.accounts.routes import log_in, set_session_cookie
from rarecare.accounts.schemas import LoginIn, UserIn, UserUpdateIn
from rarecare.centres import service as centres
from rarecare.errors import FieldError, NotAuthenticated, ValidationFailed
from rarecare.i18n import _
from rarecare.web.deps import (
    SESSION_COOKIE,
    Admin,
    AppSettings,
    CurrentUser,
    DbSession,
)
from rarecare.web.forms import attempt, error_lines
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


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
        _, token = log_in(
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
    set_session_cookie(response, token, settings)
    return response


@pages.post("/logout")
def logout_submit(request: Request, session: DbSession) -> RedirectResponse:
    service.end_session(session=session, token=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _account_view(
    request: Request,
    user: Principal,
    session: DbSession,
    *,
    errors: list[str] | None = None,
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    centre = (
        centres.get_centre(session=session, centre_id=user.centre_id) if user.centre_id else None
    )
    return render(
        request,
        "account.html",
        {"centre": centre, "errors": errors or [], "done": done},
        status_code=status_code,
    )


@pages.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, user: CurrentUser, session: DbSession, done: str = ""
) -> HTMLResponse:
    return _account_view(request, user, session, done=done)


@pages.post("/account/password", response_model=None)
def account_password(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    def change() -> None:
        if new_password != confirm_password:
            raise ValidationFailed(
                _("The new password is refused."),
                [FieldError("confirm_password", _("does not match the new password"))],
            )
        service.change_password(
            session=session,
            principal=user,
            current_password=current_password,
            new_password=new_password,
            keep_token=request.cookies.get(SESSION_COOKIE),
        )

    error = attempt(change)
    if error is not None:
        session.rollback()
        return _account_view(
            request, user, session, errors=error_lines(error), status_code=error.status_code
        )
    return RedirectResponse("/account?done=password", status_code=303)


@pages.post("/account/sessions", response_model=None)
def account_sessions(request: Request, user: CurrentUser, session: DbSession) -> Response:
    """Log out everywhere (this browser too)."""
    service.revoke_sessions(session=session, principal=user, user_id=user.user_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _users_view(
    request: Request,
    admin: Principal,
    session: DbSession,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "users.html",
        {
            "users": service.list_users(session=session, principal=admin),
            "centres": centres.list_centres(session=session),
            "roles": list(Role),
            "errors": errors or [],
            "form": form or {},
            "done": done,
        },
        status_code=status_code,
    )


@pages.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, admin: Admin, session: DbSession, done: str = "") -> HTMLResponse:
    return _users_view(request, admin, session, done=done)


def _users_action(
    request: Request,
    admin: Principal,
    session: DbSession,
    action: Callable[[], object],
    done: str,
    form: dict[str, str] | None = None,
) -> Response:
    error = attempt(action)
    if error is not None:
        session.rollback()
        return _users_view(
            request,
            admin,
            session,
            errors=error_lines(error),
            form=form,
            status_code=error.status_code,
        )
    return RedirectResponse(f"/admin/users?done={done}", status_code=303)


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

    def create() -> None:
        data = UserIn.model_validate(
            {**form, "password": password, "centre_code": centre_code or None}
        )
        service.create_user(session=session, principal=admin, data=data)

    return _users_action(request, admin, session, create, "created", form)


@pages.post("/admin/users/{user_id}", response_model=None)
def users_edit(
    user_id: int,
    request: Request,
    admin: Admin,
    session: DbSession,
    role: Annotated[str, Form()],
    centre_code: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    def edit() -> None:
        data = UserUpdateIn.model_validate(
            {
                "role": role,
                "centre_code": centre_code or None,
                "display_name": display_name,
                "version": version,
            }
        )
        service.update_user(session=session, principal=admin, user_id=user_id, data=data)

    return _users_action(request, admin, session, edit, "updated")


@pages.post("/admin/users/{user_id}/active", response_model=None)
def users_active(
    user_id: int,
    request: Request,
    admin: Admin,
    session: DbSession,
    active: Annotated[bool, Form()] = False,
    version: Annotated[int | None, Form()] = None,
) -> Response:
    def toggle() -> None:
        service.set_active(
            session=session, principal=admin, user_id=user_id, active=active, version=version
        )

    return _users_action(request, admin, session, toggle, "enabled" if active else "disabled")


@pages.post("/admin/users/{user_id}/password", response_model=None)
def users_password(
    user_id: int,
    request: Request,
    admin: Admin,
    session: DbSession,
    new_password: Annotated[str, Form()] = "",
) -> Response:
    def reset() -> None:
        service.reset_password(
            session=session, principal=admin, user_id=user_id, new_password=new_password
        )

    return _users_action(request, admin, session, reset, "password")


@pages.post("/admin/users/{user_id}/sessions", response_model=None)
def users_sessions(user_id: int, request: Request, admin: Admin, session: DbSession) -> Response:
    def revoke() -> None:
        service.revoke_sessions(session=session, principal=admin, user_id=user_id)

    return _users_action(request, admin, session, revoke, "sessions")
