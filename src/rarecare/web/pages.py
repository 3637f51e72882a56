"""Site-wide pages: home, health check, language switch, overviews of sections without a page
of their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from rarecare import __version__, i18n
from rarecare.errors import NotFound
from rarecare.knowledge import SOURCES
from rarecare.storage import ping
from rarecare.web.deps import AppSettings
from rarecare.web.site import Section
from rarecare.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    sections: tuple[Section, ...] = request.app.state.sections
    return render(request, "home.html", {"modules": {s.key: s for s in sections}})


@router.get("/healthz", tags=["system"])
def healthz(request: Request) -> dict[str, Any]:
    """Liveness and database reachability (without waiting for any lock)."""
    ping(request.app.state.engine)
    return {"status": "ok", "version": __version__, "database": "ok"}


@router.get("/readyz", tags=["system"])
def readyz(request: Request) -> dict[str, Any]:
    """Readiness for a load balancer: 200 when the database answers, else 503 (within the
    database timeout) so traffic goes elsewhere while the rest of the site keeps answering."""
    ping(request.app.state.engine)
    return {"status": "ready", "database": "ok"}


@router.get("/api/about", tags=["system"])
def about(settings: AppSettings) -> dict[str, Any]:
    """Version, database kind and the credited sources of the knowledge base."""
    return {
        "version": __version__,
        "database": "sqlite" if settings.is_sqlite else "postgresql",
        "demo": settings.demo,
        "sources": [
            {
                "key": s.key,
                "name": s.name,
                "version": s.version,
                "licence": s.licence,
                "credit": s.credit,
                "url": s.url,
            }
            for s in SOURCES
        ],
    }


@router.get("/lang/{code}", include_in_schema=False)
def switch_language(code: str, settings: AppSettings, next: str = "/") -> RedirectResponse:
    if code not in i18n.LOCALES:
        raise NotFound()
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        "rarecare_lang",
        code,
        max_age=365 * 24 * 3600,
        samesite="lax",
        secure=settings.cookies_secure,
        httponly=True,
    )
    return response


def overview_router(sections: tuple[Section, ...]) -> APIRouter:
    """The overview pages of the sections that have no page of their own yet."""
    overviews = APIRouter()
    for section in sections:
        if not section.own_page:
            overviews.add_api_route(
                section.path,
                _overview(section),
                methods=["GET"],
                response_class=HTMLResponse,
                include_in_schema=False,
                name=f"module_{section.key}",
            )
    return overviews


def _overview(section: Section) -> Callable[[Request], HTMLResponse]:
    def overview(request: Request) -> HTMLResponse:
        return render(request, "module.html", {"module": section.key, "info": section})

    return overview
