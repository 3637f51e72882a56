"""Catalogue JSON API: diseases, HPO terms, statistics, official mappings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile

from rarecare.catalogue import service
from rarecare.catalogue.schemas import (
    DiseaseDetailOut,
    DiseaseHitOut,
    OfficialImportOut,
    TermHitOut,
)
from rarecare.errors import NotFound
from rarecare.i18n import _
from rarecare.web.deps import CurrentUser, DbSession, Knowledge, principal_of
from rarecare.web.uploads import read_upload

api = APIRouter(prefix="/api", tags=["catalogue"])


SearchText = Annotated[
    str, Query(min_length=1, max_length=200, description="Name, synonym, code or gene")
]


Limit = Annotated[int, Query(ge=1, le=100)]


@api.get("/catalogue/search", response_model=list[DiseaseHitOut])
def api_search(
    kb: Knowledge, session: DbSession, q: SearchText, limit: Limit = 20
) -> list[DiseaseHitOut]:
    """Diseases by name, synonym, ORPHA/OMIM/ICD-10 code or gene symbol, best first
    (exact code > exact name > prefix > word match); Vietnamese names of the approved list too."""
    return service.search(kb=kb, query=q, limit=limit, session=session)


@api.get("/catalogue/diseases/{code}", response_model=DiseaseDetailOut)
def api_disease(code: str, kb: Knowledge, session: DbSession, request: Request) -> DiseaseDetailOut:
    """A disease with its features, genes, cross-references, national list status, drugs and
    guidelines."""
    principal = principal_of(request)
    return service.disease_detail(
        kb=kb, code=code, session=session, principal=principal, feature_limit=500
    )


@api.get("/catalogue/stats")
def api_stats(kb: Knowledge) -> dict[str, Any]:
    """Counts per source and the source versions."""
    return kb.stats()


@api.get("/hpo/search", response_model=list[TermHitOut], tags=["hpo"])
def api_hpo_search(kb: Knowledge, q: SearchText, limit: Limit = 20) -> list[TermHitOut]:
    """HPO terms for autocomplete by label, synonym or id (obsolete ids give their replacement)."""
    return service.search_terms(kb=kb, query=q, limit=limit)


@api.get("/hpo/terms/{term_id}", tags=["hpo"])
def api_hpo_term(term_id: str, kb: Knowledge) -> dict[str, Any]:
    """One HPO term with its parents and children."""
    resolution = kb.resolve_term(term_id)
    if resolution is None:
        raise NotFound(_("%(id)s is not an HPO term.") % {"id": term_id})
    term = resolution.term
    return {
        "id": term.id,
        "name": term.name,
        "definition": term.definition,
        "synonyms": list(term.synonyms),
        "parents": [{"id": p, "name": kb.ontology.terms[p].name} for p in term.parents],
        "children": [
            {"id": c, "name": kb.ontology.terms[c].name} for c in kb.ontology.children(term.id)
        ],
        "phenotypic": kb.ontology.is_phenotypic(term.id),
        "warning": resolution.warning,
    }


@api.post("/catalogue/official-mappings", response_model=OfficialImportOut)
def api_import_official(
    user: CurrentUser,
    kb: Knowledge,
    session: DbSession,
    file: Annotated[UploadFile, File(description="Orphadata en_product1.xml")],
) -> OfficialImportOut:
    """Import Orphanet's official ORPHA–ICD-10/ICD-11 mapping (Orphadata product 1 XML)."""
    content = read_upload(file)
    return service.import_official_mappings(session=session, principal=user, kb=kb, content=content)
