"""Site-wide pages: home, health check, language switch, module overviews."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import text

from rarecare import __version__, i18n
from rarecare.errors import NotFound
from rarecare.i18n import N_
from rarecare.knowledge import SOURCES
from rarecare.web.deps import AppSettings, DbSession
from rarecare.web.templating import render

router = APIRouter()

# What each module is for, shown on its overview page until (and above) its own screens.
MODULES: dict[str, dict[str, str]] = {
    "catalogue": {
        "title": N_("Catalogue"),
        "summary": N_(
            "Rare diseases (ORPHA, OMIM, ICD-10), HPO phenotype terms, the national rare disease "
            "list, the rare drug list and treatment guidelines."
        ),
    },
    "diagnosis": {
        "title": N_("Diagnosis"),
        "summary": N_(
            "Phenotype-driven differential diagnosis: enter observed and excluded HPO terms and "
            "get ranked diseases with their reasons."
        ),
    },
    "registry": {
        "title": N_("Registry"),
        "summary": N_(
            "Pseudonymised patient records with the EU common data elements, phenotypes, "
            "diagnoses and the diagnostic-delay clock."
        ),
    },
    "care": {
        "title": N_("Care"),
        "summary": N_(
            "Treatment centres, long-term therapy plans, infusion schedules, adherence, drug "
            "demand and travel burden."
        ),
    },
    "finance": {
        "title": N_("Finance"),
        "summary": N_(
            "Drug prices, insurance coverage rules, costs per patient and budget impact."
        ),
    },
    "monitoring": {
        "title": N_("Monitoring"),
        "summary": N_("Action-plan tasks and national indicators for the steering committee."),
    },
    "public": {
        "title": N_("Public portal"),
        "summary": N_(
            "Information on rare diseases for patients and families, the approved national "
            "lists and public statistics."
        ),
    },
}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", {"modules": MODULES})


@router.get("/healthz", tags=["system"])
def healthz(session: DbSession) -> dict[str, Any]:
    """Liveness and database reachability."""
    session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": "ok"}


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


def _overview_route(module: str) -> None:
    def overview(request: Request) -> HTMLResponse:
        return render(request, "module.html", {"module": module, "info": MODULES[module]})

    router.add_api_route(
        f"/{module}",
        overview,
        methods=["GET"],
        response_class=HTMLResponse,
        include_in_schema=False,
        name=f"module_{module}",
    )


MODULES_WITH_OWN_PAGE = {"catalogue", "diagnosis", "registry", "care", "finance"}

for _module in MODULES:
    if _module not in MODULES_WITH_OWN_PAGE:
        _overview_route(_module)
