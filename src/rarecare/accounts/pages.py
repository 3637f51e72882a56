"""Accounts pages: login, logout, the account page and user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from rarecare.access import Role
from rarecare.accounts import service
from rarecare.accounts.routes import log_in, set_session_cookie
from rarecare.accounts.schemas import LoginIn, UserIn
from rarecare.centres import service as centres
from rarecare.errors import NotAuthenticated, RareCareError
from rarecare.web.deps import (
    SESSION_COOKIE,
    Admin,
    AppSettings,
    CurrentUser,
    DbSession,
)
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


@pages.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    centre = (
        centres.get_centre(session=session, centre_id=user.centre_id) if user.centre_id else None
    )
    return render(request, "account.html", {"centre": centre})


@pages.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, admin: Admin, session: DbSession) -> HTMLResponse:
    return render(
        request,
        "users.html",
        {
            "users": service.list_users(session=session, principal=admin),
            "centres": centres.list_centres(session=session),
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
                "centres": centres.list_centres(session=session),
                "roles": list(Role),
                "errors": [exc.message, *(str(d) for d in exc.details)],
                "form": form,
            },
            status_code=exc.status_code,
        )
    return RedirectResponse("/admin/users", status_code=303)
