"""Catalogue pages: search and disease pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse

from rarecare.catalogue import service
from rarecare.catalogue.schemas import OfficialImportOut
from rarecare.errors import RareCareError
from rarecare.i18n import N_
from rarecare.lists import service as lists
from rarecare.lists.models import ListKind
from rarecare.web.deps import CurrentUser, DbSession, Knowledge, principal_of
from rarecare.web.forms import error_lines
from rarecare.web.site import Section
from rarecare.web.templating import render
from rarecare.web.uploads import read_upload

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
    return _catalogue_view(request, kb, session, q=q)


def _catalogue_view(
    request: Request,
    kb: Knowledge,
    session: DbSession,
    *,
    q: str = "",
    imported: OfficialImportOut | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    results = service.search(kb=kb, query=q, session=session) if q.strip() else []
    versions = {kind.value: lists.current_version(session=session, kind=kind) for kind in ListKind}
    return render(
        request,
        "catalogue.html",
        {
            "q": q,
            "results": results,
            "stats": kb.stats(),
            "versions": versions,
            "official": service.official_mappings_status(session=session),
            "imported": imported,
            "errors": errors or [],
        },
        status_code=status_code,
    )


@pages.post("/catalogue/official-mappings", response_class=HTMLResponse)
def official_mappings_form(
    request: Request,
    user: CurrentUser,
    kb: Knowledge,
    session: DbSession,
    file: Annotated[UploadFile, File()],
) -> HTMLResponse:
    """Import Orphanet's official ORPHA–ICD-10/ICD-11 mapping (Orphadata product 1 XML)."""
    content = read_upload(file)
    try:
        result = service.import_official_mappings(
            session=session, principal=user, kb=kb, content=content
        )
    except RareCareError as exc:
        session.rollback()
        return _catalogue_view(
            request, kb, session, errors=error_lines(exc), status_code=exc.status_code
        )
    return _catalogue_view(request, kb, session, imported=result)


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
