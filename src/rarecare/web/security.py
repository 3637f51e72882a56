"""CSRF protection (double-submit token, checked on every unsafe request) and security headers."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from rarecare.errors import PermissionDenied
from rarecare.i18n import _

CSRF_COOKIE = "rarecare_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
# Swagger UI's page bootstraps itself with one inline script.
CSP_API_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def add_security_headers(response: Response, path: str, *, https: bool) -> None:
    """The headers every response carries, error pages included."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = CSP_API_DOCS if path == "/api/docs" else CSP
    if https:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"


def csrf_token_for(request: Request) -> str:
    """The request's CSRF token (from its cookie, or a new one the middleware will set)."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_token = token
    return str(token)


async def csrf_protect(request: Request) -> None:
    """App-wide dependency. Unsafe requests must echo the CSRF cookie in a form field or header.

    JSON bodies are exempt from the token (a browser cannot send them cross-site without a CORS
    preflight, which this app never grants) but must not come from a foreign Origin."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise PermissionDenied(_("Cross-site request refused."))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise PermissionDenied(
            _("The form expired or came from elsewhere; reload the page and try again.")
        )
