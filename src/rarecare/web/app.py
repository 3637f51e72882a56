"""``create_app(settings)``: the FastAPI application, built from one settings object."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import Depends, FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from rarecare import __version__, i18n
from rarecare.accounts.routes import api as accounts_api
from rarecare.accounts.routes import pages as accounts_pages
from rarecare.audit.routes import api as audit_api
from rarecare.audit.routes import pages as audit_pages
from rarecare.audit.service import request_id_var
from rarecare.care.pages import pages as care_pages
from rarecare.care.routes import api as care_api
from rarecare.care.routes import plans_api as care_plans_api
from rarecare.catalogue.routes import api as catalogue_api
from rarecare.catalogue.routes import pages as catalogue_pages
from rarecare.config import Settings
from rarecare.diagnosis.routes import api as diagnosis_api
from rarecare.diagnosis.routes import pages as diagnosis_pages
from rarecare.finance.routes import api as finance_api
from rarecare.finance.routes import pages as finance_pages
from rarecare.guidelines.routes import api as guidelines_api
from rarecare.guidelines.routes import pages as guidelines_pages
from rarecare.knowledge import load_knowledge
from rarecare.lists.routes import api as lists_api
from rarecare.lists.routes import pages as lists_pages
from rarecare.registry.pages import pages as registry_pages
from rarecare.registry.routes import api as registry_api
from rarecare.storage import make_engine, make_sessionmaker
from rarecare.web import pages
from rarecare.web.deps import get_principal
from rarecare.web.errors import install_error_handlers
from rarecare.web.security import CSP, CSP_API_DOCS, CSRF_COOKIE, csrf_protect
from rarecare.web.templating import make_environment

LOCALE_COOKIE = "rarecare_lang"
log = logging.getLogger("rarecare.web")


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Warm the knowledge base in the background so the first search does not wait.
        threading.Thread(target=load_knowledge, args=(settings.cache_dir,), daemon=True).start()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="RareCare API",
        version=__version__,
        description="National rare disease management: knowledge base, diagnosis, registry, "
        'care, finance and monitoring. Errors are `{"error": {code, message, details}}`.',
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # every request: CSRF check on unsafe methods; the logged-in user for pages and nav
        dependencies=[Depends(csrf_protect), Depends(get_principal)],
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.templates = make_environment()

    static_dir = str(resources.files("rarecare.web") / "static")
    app.mount("/static", StaticFiles(directory=static_dir), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="RareCare API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    for router in (
        catalogue_pages,
        catalogue_api,
        lists_pages,
        lists_api,
        guidelines_pages,
        guidelines_api,
        diagnosis_pages,
        diagnosis_api,
        registry_api,
        registry_pages,
        pages.router,
        accounts_pages,
        accounts_api,
        care_pages,
        care_api,
        care_plans_api,
        finance_pages,
        finance_api,
        audit_pages,
        audit_api,
    ):
        app.include_router(router)
    install_error_handlers(app)

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or secrets.token_hex(8)
        request_id_var.set(request_id[:64])
        locale = request.cookies.get(LOCALE_COOKIE)
        if locale not in i18n.LOCALES:
            locale = i18n.negotiate(request.headers.get("accept-language"), settings.default_locale)
        i18n.current_locale.set(locale)
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        response.headers["Content-Language"] = locale
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = (
            CSP_API_DOCS if request.url.path == "/api/docs" else CSP
        )
        if settings.cookies_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        token = getattr(request.state, "csrf_token", None)
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(
                CSRF_COOKIE,
                token,
                httponly=True,
                samesite="strict",
                secure=settings.cookies_secure,
                path="/",
            )
        log.debug(
            "%s %s %s %.1f ms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    return app
