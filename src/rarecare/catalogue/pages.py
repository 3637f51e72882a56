"""Catalogue pages: search and disease pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rarecare.catalogue import service
from rarecare.i18n import N_
from rarecare.lists import service as lists
from rarecare.lists.models import ListKind
from rarecare.web.deps import DbSession, Knowledge, principal_of
from rarecare.web.site import Section
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)

SECTION = Section(
    key="catalogue",
    title=N_("Catalogue"),
    summary=N_(
        "Rare diseases (ORPHA, OMIM, ICD-10), HPO phenotype terms, the national rare disease "
        "list, the rare drug list and treatment guidelines."
    ),
)


@pages.get("/catalogue", response_class=HTMLResponse)
def catalogue_page(
    request: Request, kb: Knowledge, session: DbSession, q: str = ""
) -> HTMLResponse:
    results = service.search(kb=kb, query=q, session=session) if q.strip() else []
    versions = {kind.value: lists.current_version(session=session, kind=kind) for kind in ListKind}
    return render(
        request,
        "catalogue.html",
        {"q": q, "results": results, "stats": kb.stats(), "versions": versions},
    )


@pages.get("/catalogue/search", response_class=HTMLResponse)
def catalogue_search_fragment(
    request: Request, kb: Knowledge, session: DbSession, q: str = ""
) -> HTMLResponse:
    results = service.search(kb=kb, query=q, session=session) if q.strip() else []
    return render(request, "_disease_results.html", {"q": q, "results": results})


@pages.get("/diseases/{code}", response_class=HTMLResponse)
def disease_page(code: str, request: Request, kb: Knowledge, session: DbSession) -> HTMLResponse:
    principal = principal_of(request)
    detail = service.disease_detail(kb=kb, code=code, session=session, principal=principal)
    return render(request, "disease.html", {"d": detail})
