"""The composition root: ``create_app(settings)`` builds the FastAPI application from one settings
object, mounting every feature's routers with the sections and labels the features hand up.
Nothing imports this module but the entry points (the CLI, the tests)."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from importlib import resources

import anyio.to_thread
import sqlalchemy.exc
from fastapi import Depends, FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from rarecare import __version__, i18n
from rarecare.access import ROLE_LABELS
from rarecare.accounts import pages as accounts_pages
from rarecare.accounts import routes as accounts_routes
from rarecare.accounts import service as accounts
from rarecare.audit import pages as audit_pages
from rarecare.audit import routes as audit_routes
from rarecare.care import centre_pages as care_centre_pages
from rarecare.care import pages as care_pages
from rarecare.care import routes as care_routes
from rarecare.care.adherence import ALERT_LABELS
from rarecare.care.models import PLAN_STATUS_LABELS
from rarecare.care.schedule import STATUS_LABELS as SCHEDULE_LABELS
from rarecare.catalogue import pages as catalogue_pages
from rarecare.catalogue import routes as catalogue_routes
from rarecare.centres import pages as centres_pages
from rarecare.centres import routes as centres_routes
from rarecare.centres.models import LEVEL_LABELS
from rarecare.config import Settings
from rarecare.context import request_id_var
from rarecare.diagnosis import pages as diagnosis_pages
from rarecare.diagnosis import routes as diagnosis_routes
from rarecare.errors import TooLarge
from rarecare.finance import pages as finance_pages
from rarecare.finance import routes as finance_routes
from rarecare.finance import rules_pages as finance_rules_pages
from rarecare.finance import scenario_pages as finance_scenario_pages
from rarecare.guidelines import pages as guidelines_pages
from rarecare.guidelines import routes as guidelines_routes
from rarecare.guidelines.models import GUIDELINE_STATUS_LABELS
from rarecare.jobs import pages as jobs_pages
from rarecare.jobs import routes as jobs_routes
from rarecare.jobs.models import RESULT_LABELS as JOB_RESULT_LABELS
from rarecare.jobs.models import STATUS_LABELS as JOB_STATUS_LABELS
from rarecare.jobs.service import JobRunner
from rarecare.knowledge import load_knowledge
from rarecare.lists import pages as lists_pages
from rarecare.lists import routes as lists_routes
from rarecare.lists import schedule as lists_schedule
from rarecare.lists.models import STATUS_LABELS
from rarecare.monitoring import dashboard as monitoring_dashboard
from rarecare.monitoring import editing as monitoring_editing
from rarecare.monitoring import jobs as monitoring_jobs
from rarecare.monitoring import pages as monitoring_pages
from rarecare.monitoring import routes as monitoring_routes
from rarecare.monitoring.models import MONITORING_LABELS
from rarecare.network import jobs as network_jobs
from rarecare.network import pages as network_pages
from rarecare.network import routes as network_routes
from rarecare.network import screening_pages as network_screening_pages
from rarecare.network.models import LAB_LABELS, REFERRAL_LABELS, SCREENING_LABELS
from rarecare.outputs import OUTPUT_LABELS
from rarecare.portal import editing as portal_editing
from rarecare.portal import pages as portal_pages
from rarecare.portal import routes as portal_routes
from rarecare.portal import statistics as portal_statistics
from rarecare.portal.models import ARTICLE_LABELS
from rarecare.registry import consent_pages, keys, record_pages
from rarecare.registry import jobs as registry_jobs
from rarecare.registry import pages as registry_pages
from rarecare.registry import routes as registry_routes
from rarecare.registry.models import (
    CONSENT_LABELS,
    DETECTION_LABELS,
    DIAGNOSTIC_STATUS_LABELS,
    VITAL_STATUS_LABELS,
)
from rarecare.research import jobs as research_jobs
from rarecare.research import pages as research_pages
from rarecare.research import routes as research_routes
from rarecare.research.models import RESEARCH_LABELS
from rarecare.storage import make_engine, make_reader, make_sessionmaker
from rarecare.web import pages
from rarecare.web.deps import get_principal
from rarecare.web.errors import error_response, install_error_handlers
from rarecare.web.inputs import guard_input
from rarecare.web.security import CSRF_COOKIE, add_security_headers, csrf_protect
from rarecare.web.site import Section
from rarecare.web.templating import make_environment
from rarecare.web.uploads import too_large

# The site's sections in menu order: each feature hands up its own; the one below has no
# page of its own yet and gets an overview page.
SECTIONS: tuple[Section, ...] = (
    catalogue_pages.SECTION,
    diagnosis_pages.SECTION,
    registry_pages.SECTION,
    care_pages.SECTION,
    network_pages.SECTION,
    finance_pages.SECTION,
    monitoring_pages.SECTION,
    research_pages.SECTION,
    portal_pages.SECTION,
)

# The labels of enumerated values the features show (roles, centre levels, statuses).
LABELS: dict[str, str] = {
    **ROLE_LABELS,
    **LEVEL_LABELS,
    **STATUS_LABELS,
    **GUIDELINE_STATUS_LABELS,
    **DIAGNOSTIC_STATUS_LABELS,
    **VITAL_STATUS_LABELS,
    **DETECTION_LABELS,
    **JOB_STATUS_LABELS,
    **JOB_RESULT_LABELS,
    **MONITORING_LABELS,
    **OUTPUT_LABELS,
    **ARTICLE_LABELS,
    **PLAN_STATUS_LABELS,
    **SCHEDULE_LABELS,
    **ALERT_LABELS,
    **REFERRAL_LABELS,
    **LAB_LABELS,
    **SCREENING_LABELS,
    **CONSENT_LABELS,
    **RESEARCH_LABELS,
    **registry_jobs.KIND_LABELS,
    **monitoring_jobs.KIND_LABELS,
    **network_jobs.KIND_LABELS,
    **research_jobs.KIND_LABELS,
}

THREADS = 200  # request threads per server process

# The long work each feature runs in the background, by job kind.
JOBS = {
    registry_jobs.IMPORT: registry_jobs.import_job,
    registry_jobs.EXPORT: registry_jobs.export_job,
    monitoring_jobs.REPORT: monitoring_jobs.report_job,
    monitoring_jobs.REFRESH: monitoring_jobs.refresh_job,
    network_jobs.SCREENING_IMPORT: network_jobs.import_job,
    research_jobs.RELEASE: research_jobs.release_job,
}

ROUTERS = (
    catalogue_pages.pages,
    catalogue_routes.api,
    lists_pages.pages,
    lists_routes.api,
    guidelines_pages.pages,
    guidelines_routes.api,
    diagnosis_pages.pages,
    diagnosis_routes.api,
    registry_routes.api,
    registry_pages.pages,
    record_pages.pages,
    consent_pages.pages,
    pages.router,
    pages.overview_router(SECTIONS),
    accounts_pages.pages,
    accounts_routes.api,
    centres_pages.pages,
    centres_routes.api,
    care_pages.pages,
    care_routes.api,
    care_routes.plans_api,
    finance_pages.pages,
    finance_rules_pages.pages,
    finance_scenario_pages.pages,
    care_centre_pages.pages,
    finance_routes.api,
    network_pages.pages,
    network_screening_pages.pages,
    network_routes.api,
    audit_pages.pages,
    audit_routes.api,
    jobs_pages.pages,
    jobs_routes.api,
    monitoring_dashboard.pages,
    monitoring_pages.pages,
    monitoring_editing.pages,
    monitoring_routes.api,
    portal_pages.pages,
    portal_statistics.pages,
    portal_editing.pages,
    portal_routes.api,
    research_pages.pages,
    research_routes.api,
    research_routes.beacon_api,
)

LOCALE_COOKIE = "rarecare_lang"
log = logging.getLogger("rarecare.web")


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Sync routes and dependencies run in a thread pool. A request that holds SQLite's
        # write lock must always find a free thread for its next step, even when many others
        # sleep waiting for that lock: a pool as large as the connections they can hold.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, THREADS)
        _check_data_key(app, settings)
        _recover_jobs(app)
        # Warm the knowledge base and the diagnosis engine in the background, so that neither
        # the first search nor the first patient page waits for them.
        if settings.warm_up:
            threading.Thread(target=_warm, args=(settings,), daemon=True).start()
        stop = threading.Event()
        threading.Thread(target=_scheduler, args=(app, settings, stop), daemon=True).start()
        yield
        stop.set()
        app.state.jobs.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="RareCare API",
        version=__version__,
        description="National rare disease management: knowledge base, diagnosis, registry, "
        'care, finance and monitoring. Errors are `{"error": {code, message, details}}`.',
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # every request: CSRF check on unsafe methods, no control characters or oversized
        # texts in any input, the logged-in user for pages and nav
        dependencies=[Depends(csrf_protect), Depends(guard_input), Depends(get_principal)],
    )
    engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        timeout_seconds=settings.db_timeout_seconds,
        statement_timeout_seconds=settings.db_statement_timeout_seconds,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.read_sessionmaker = make_reader(engine) if engine.dialect.name == "sqlite" else None
    app.state.templates = make_environment(SECTIONS, LABELS)
    app.state.sections = SECTIONS
    app.state.resolve_principal = accounts.resolve_session
    runner = JobRunner(app.state.sessionmaker, settings)
    for kind, function in JOBS.items():
        runner.register(kind, function)
    app.state.jobs = runner

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

    for router in ROUTERS:
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
        if too_large(request.headers.get("content-length")):
            response = error_response(request, TooLarge(i18n.gettext("The request is too large.")))
            add_security_headers(response, request.url.path, https=settings.cookies_secure)
            return response
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        response.headers["Content-Language"] = locale
        add_security_headers(response, request.url.path, https=settings.cookies_secure)
        if "cache-control" not in response.headers and (
            getattr(request.state, "principal", None) is not None
            or request.url.path.startswith("/api/")
        ):
            # what a logged-in user sees (records, identities, exports) stays out of caches
            response.headers["Cache-Control"] = "no-store"
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
        log.info(
            "%s %s %s %.1f ms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    return app


def _warm(settings: Settings) -> None:
    """Load the knowledge base and the diagnosis engine (index; the engine compiles its
    kernels as it loads) once."""
    from rarecare.diagnosis import service as diagnosis

    try:
        kb = load_knowledge(settings.cache_dir)
        diagnosis.engine_for(kb, settings.cache_dir)
    except Exception:  # a request that needs them loads them itself, and says what failed
        log.exception("warming the knowledge base and the diagnosis engine failed")


def _scheduler(app: FastAPI, settings: Settings, stop: threading.Event) -> None:
    """A minute after start, then every 15 minutes: list versions whose effective date has
    come are marked in force, and the current quarter's indicators are refreshed when their
    figures are older than RARECARE_INDICATOR_REFRESH_HOURS (0: never)."""
    if stop.wait(60):
        return
    while True:
        try:
            with app.state.sessionmaker() as session:
                if lists_schedule.activate_due(session=session, today=date.today()):
                    session.commit()
            if settings.indicator_refresh_hours > 0:
                monitoring_jobs.refresh_if_stale(
                    sessions=app.state.sessionmaker,
                    runner=app.state.jobs,
                    hours=settings.indicator_refresh_hours,
                    today=date.today(),
                )
        except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.ProgrammingError) as exc:
            log.warning("scheduled work not done (database: %s)", type(exc).__name__)
        if stop.wait(15 * 60):
            return


def _recover_jobs(app: FastAPI) -> None:
    """Jobs a stopped server left queued or running are marked failed, never left hanging."""
    try:
        interrupted = app.state.jobs.recover()
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.ProgrammingError) as exc:
        log.warning("jobs not recovered at start (database: %s)", type(exc).__name__)
        return
    if interrupted:
        log.warning("%d background jobs were interrupted by the last stop", interrupted)


def _check_data_key(app: FastAPI, settings: Settings) -> None:
    """Refuse to start with a data key that is not the one in force (a ``ConfigurationError``
    stops the server with its message). A database that does not answer yet is checked at first
    use instead: the vault of every request goes through the same check."""
    reader = make_reader(app.state.engine)
    try:
        with reader() as session:  # reads only: waits for no lock
            keys.vault_for(session=session, settings=settings, record=False)
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.ProgrammingError) as exc:
        log.warning("data key not checked at start (database: %s)", type(exc).__name__)


def app_from_environment() -> FastAPI:
    """The application with settings from the environment: the factory each worker process of
    ``rarecare serve --workers N`` calls."""
    return create_app(Settings())
