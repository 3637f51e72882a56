"""Diagnosis pages: the clinicians' workbench (htmx)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from rarecare import i18n
from rarecare.diagnosis import service
from rarecare.diagnosis.deps import Engine
from rarecare.diagnosis.engine import MATCH_LABELS
from rarecare.diagnosis.schemas import RankIn
from rarecare.errors import RareCareError
from rarecare.i18n import N_
from rarecare.web.deps import CurrentUser, Knowledge
from rarecare.web.forms import error_lines
from rarecare.web.site import Section
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)

SECTION = Section(
    key="diagnosis",
    title=N_("Diagnosis"),
    summary=N_(
        "Phenotype-driven differential diagnosis: enter observed and excluded HPO terms and "
        "get ranked diseases with their reasons."
    ),
)


@pages.get("/diagnosis", response_class=HTMLResponse)
def workbench(request: Request, user: CurrentUser) -> HTMLResponse:
    return render(
        request,
        "diagnosis.html",
        {"observed": [], "excluded": [], "sex": "", "onset": "", "ranking": None, "errors": []},
    )


@pages.get("/diagnosis/terms", response_class=HTMLResponse)
def term_suggestions(
    request: Request, user: CurrentUser, kb: Knowledge, q: str = ""
) -> HTMLResponse:
    hits = (
        [h for h in kb.search_terms(q, limit=12) if kb.ontology.is_phenotypic(h.code)]
        if q.strip()
        else []
    )
    locale = i18n.current_locale.get()
    terms = [(h.code, kb.term_name(h.code, locale), h.matched) for h in hits]
    return render(request, "_term_suggestions.html", {"terms": terms, "q": q})


@pages.post("/diagnosis/workbench", response_class=HTMLResponse)
def workbench_update(
    request: Request,
    user: CurrentUser,
    kb: Knowledge,
    engine: Engine,
    observed: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI form lists
    excluded: Annotated[list[str], Form()] = [],  # noqa: B006
    add_observed: Annotated[str, Form()] = "",
    add_excluded: Annotated[str, Form()] = "",
    remove: Annotated[str, Form()] = "",
    sex: Annotated[str, Form()] = "",
    onset: Annotated[str, Form()] = "",
) -> HTMLResponse:
    observed_ids = [
        t
        for t in dict.fromkeys([*observed, add_observed])
        if t and t != remove and t != add_excluded
    ]
    excluded_ids = [
        t
        for t in dict.fromkeys([*excluded, add_excluded])
        if t and t != remove and t != add_observed
    ]
    ranking, errors = None, []
    if observed_ids:
        try:
            ranking = service.rank(
                engine=engine,
                data=RankIn(
                    observed=observed_ids,
                    excluded=excluded_ids,
                    sex=sex or None,
                    onset=onset or None,
                    top=15,
                    questions=5,
                ),
            )
        except RareCareError as exc:
            errors = error_lines(exc)
    locale = i18n.current_locale.get()
    names = {t: kb.term_name(t, locale) for t in observed_ids + excluded_ids}
    return render(
        request,
        "_workbench.html",
        {
            "observed": [(t, names[t]) for t in observed_ids],
            "excluded": [(t, names[t]) for t in excluded_ids],
            "sex": sex,
            "onset": onset,
            "ranking": ranking,
            "errors": errors,
            "match_labels": MATCH_LABELS,
            # HPO terms as the reader's language names them ("Giảm trương lực cơ (Hypotonia)")
            "term_name": lambda term_id: kb.term_name(term_id, locale),
        },
    )
