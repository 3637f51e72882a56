"""The one mapping of errors to responses: JSON ``{"error": ...}`` under ``/api/``, HTML error
pages elsewhere. No stack trace ever reaches a user; unexpected errors are logged with the
request id the user sees."""

from __future__ import annotations

import logging
from urllib.parse import quote

import sqlalchemy.exc
import sqlalchemy.orm.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from rarecare.context import request_id_var
from rarecare.errors import (
    Conflict,
    NotAuthenticated,
    RareCareError,
    ServiceUnavailable,
    ValidationFailed,
    field_errors,
)
from rarecare.i18n import N_, _
from rarecare.web.security import add_security_headers
from rarecare.web.templating import render

log = logging.getLogger("rarecare.web")

_STATUS_TITLES = {
    400: N_("Bad request"),
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    422: N_("Invalid input"),
    429: N_("Too many requests"),
    503: N_("Service unavailable"),
    500: N_("Something went wrong"),
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, error: RareCareError) -> Response:
    headers: dict[str, str] = {}
    retry_after = getattr(error, "retry_after_seconds", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if wants_json(request):
        body = {
            "error": {
                "code": error.code,
                "message": error.message,
                "details": [
                    {"field": d.field, "row": d.row, "message": d.text} for d in error.details
                ],
                "request_id": request_id_var.get(),
            }
        }
        return JSONResponse(body, status_code=error.status_code, headers=headers)
    if isinstance(error, NotAuthenticated) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    response = render(
        request,
        "error.html",
        {
            "status": error.status_code,
            "title": _(_STATUS_TITLES.get(error.status_code, "Error")),
            "error": error,
            "request_id": request_id_var.get(),
        },
        status_code=error.status_code,
    )
    response.headers.update(headers)
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RareCareError)
    async def _rarecare(request: Request, exc: RareCareError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return error_response(
            request,
            RareCareError(
                _("Invalid input."), field_errors(exc.errors()), status_code=422, code="invalid"
            ),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        title = _STATUS_TITLES.get(exc.status_code, N_("Error"))
        return error_response(
            request,
            RareCareError(
                _(title) + ".", status_code=exc.status_code, code=title.lower().replace(" ", "_")
            ),
        )

    @app.exception_handler(sqlalchemy.exc.OperationalError)
    @app.exception_handler(sqlalchemy.exc.InterfaceError)
    @app.exception_handler(sqlalchemy.exc.TimeoutError)
    async def _database(request: Request, exc: Exception) -> Response:
        # down, hung, or busy beyond the timeouts: 503 at once, the rest of the site answers;
        # the error's kind only (its SQL could carry clinical values)
        log.warning("database unavailable in request %s: %s", request_id_var.get(), _kind(exc))
        return error_response(request, ServiceUnavailable())

    @app.exception_handler(sqlalchemy.orm.exc.StaleDataError)
    async def _stale(request: Request, exc: Exception) -> Response:
        # two saves of the same version at the same moment: the later one is refused
        return error_response(
            request,
            Conflict(_("This record was changed by someone else at the same moment. Reload it.")),
        )

    @app.exception_handler(sqlalchemy.exc.DataError)
    async def _data(request: Request, exc: Exception) -> Response:
        # a value the database refuses (out of range for its column): the input's fault, not
        # the server's; the guard and the ORM checks catch the known cases before this
        log.warning("value refused by the database in request %s", request_id_var.get())
        return error_response(
            request,
            ValidationFailed(_("A value is out of range or invalid for its field.")),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # answered outside the middleware stack: its headers are added here
        log.exception("unhandled error in request %s", request_id_var.get())
        response = error_response(
            request,
            RareCareError(
                _(
                    "An unexpected error occurred. It has been logged; "
                    "quote the request id if you report it."
                ),
                status_code=500,
                code="internal",
            ),
        )
        settings = request.app.state.settings
        add_security_headers(response, request.url.path, https=settings.cookies_secure)
        return response


def _kind(exc: Exception) -> str:
    origin = getattr(exc, "orig", None) or exc
    return type(origin).__name__
