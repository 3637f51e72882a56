"""The patient page's own forms beyond phenotypes: choosing any disease to record (ORPHA,
OMIM, ICD-10 or a name — not only the engine's suggestions), encounters with weight and height,
and editing the record's elements (vital status, date of death, consents, dates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare.access import Principal
from rarecare.centres import service as centres
from rarecare.diagnosis.deps import Engine
from rarecare.errors import NeedsConfirmation, RareCareError
from rarecare.geo import current_provinces
from rarecare.i18n import _
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import duplicates, quality, reanalysis, service
from rarecare.registry.deps import Vault
from rarecare.registry.models import VitalStatus
from rarecare.registry.pages import _act
from rarecare.registry.schemas import DiagnosisIn, EncounterIn, PatientUpdateIn
from rarecare.registry.vocabulary import AGE_KINDS
from rarecare.web.deps import CurrentUser, DbSession, Knowledge
from rarecare.web.forms import FormFields, error_lines, invalid_as
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Choice:
    """A disease the user may record: the ORPHA entity, and what the search found."""

    orpha: str | None  # None: nothing in Orphanet to record it under
    name: str
    found: str  # the code or name the search matched (an OMIM or ICD-10 code, a synonym)


def disease_choices(kb: KnowledgeBase, query: str, limit: int = 12) -> list[Choice]:
    """Diseases to record for ``query``: ORPHA entities by code, name or synonym; an OMIM
    disease under the ORPHA entities mapped exactly to it; an ICD-10 code under the ORPHA
    entities aligned to it. Each ORPHA entity once, in the search's order."""
    choices: list[Choice] = []
    seen: set[str] = set()

    def add(orpha: str, found: str) -> None:
        disease = kb.diseases.get(orpha)
        if disease is not None and orpha not in seen:
            seen.add(orpha)
            choices.append(Choice(orpha, disease.name, found))

    query = query.strip()
    for code in kb.diseases_for_icd10(query):
        add(code, query.upper())
    # a bare number is an ORPHA or an OMIM number
    queries = [f"ORPHA:{query}", f"OMIM:{query}", query] if query.isdigit() else [query]
    hits = [hit for q in queries for hit in kb.search_diseases(q, limit=limit * 2)]
    for hit in hits:
        disease = kb.diseases[hit.code]
        if disease.source == "ORPHA":
            add(hit.code, hit.matched if hit.match_kind != "label" else "")
            continue
        mapped = kb.exact_orpha_for(hit.code)
        for orpha in mapped:
            add(orpha, f"{hit.code} {disease.name}")
        if not mapped and hit.code not in seen:
            seen.add(hit.code)
            choices.append(Choice(None, disease.name, hit.code))
    return choices[:limit]


@pages.get("/registry/patients/{patient_id}/diseases", response_class=HTMLResponse)
def disease_choices_fragment(
    patient_id: int, request: Request, user: CurrentUser, kb: Knowledge, q: str = ""
) -> HTMLResponse:
    """The diseases matching the search box of the "record a diagnosis" form."""
    choices = disease_choices(kb, q) if q.strip() else []
    return render(request, "_disease_choices.html", {"choices": choices, "q": q})


@pages.post("/registry/patients/{patient_id}/diagnoses", response_model=None)
def patient_add_diagnosis(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    engine: Engine,
    form: FormFields,
) -> Response:
    """Record a diagnosis: a suggestion's buttons send the code and status; the full form adds
    the date, the genetic finding (gene, HGVS, zygosity, ACMG class) and the evidence."""

    def record() -> object:
        with invalid_as(_("Invalid diagnosis.")):
            data = DiagnosisIn.model_validate(
                {
                    "orpha_code": form.get("orpha_code", ""),
                    "status": form.get("status", ""),
                    "diagnosed_on": form.get("diagnosed_on") or None,
                    **{
                        name: form.get(name, "").strip()
                        for name in ("gene", "variant", "zygosity", "classification", "evidence")
                    },
                }
            )
        return service.add_diagnosis(
            session=session, principal=user, kb=kb, patient_id=patient_id, data=data
        )

    return _act(request, user, session, kb, engine, patient_id, record, "diagnoses")


@pages.post("/registry/patients/{patient_id}/encounters", response_model=None)
def patient_add_encounter(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    engine: Engine,
    form: FormFields,
) -> Response:
    def record() -> object:
        with invalid_as(_("Invalid encounter.")):
            data = EncounterIn.model_validate(
                {
                    "date": form.get("date", ""),
                    "kind": form.get("kind", "visit"),
                    "weight_kg": form.get("weight_kg") or None,
                    "height_cm": form.get("height_cm") or None,
                    "note": form.get("note", ""),
                }
            )
        return service.add_encounter(
            session=session, principal=user, patient_id=patient_id, data=data
        )

    return _act(request, user, session, kb, engine, patient_id, record, "encounters")


EDITABLE = (
    "sex",
    "vital_status",
    "death_date",
    "first_symptoms_date",
    "first_contact_date",
    "onset_kind",
    "onset_date",
    "diagnosis_kind",
    "diagnosis_date",
    "province_code",
    "detection",
    "biobank",
    "icf_codes",
)
CONSENTS = ("contact_for_research", "consent_reuse", "biosample")
KEPT = ("diagnostic_status", "orpha_code", "former_province_code")  # changed elsewhere


def _edit_page(
    request: Request,
    form: dict[str, str],
    patient_id: int,
    errors: list[str],
    status: int = 200,
    confirm: bool = False,
) -> HTMLResponse:
    return render(
        request,
        "patient_edit.html",
        {
            "form": form,
            "patient_id": patient_id,
            "errors": errors,
            "provinces": current_provinces(),
            "vital_statuses": [v.value for v in VitalStatus],
            "age_kinds": list(AGE_KINDS.items()),
            "confirm": confirm,
        },
        status_code=status,
    )


@pages.get("/registry/patients/{patient_id}/edit", response_class=HTMLResponse)
def patient_edit_page(
    patient_id: int, request: Request, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    """The record's elements in a form, with the version it was read at."""
    patient = service.get(session=session, principal=user, patient_id=patient_id)
    form: dict[str, str] = {}
    for name in (*EDITABLE, *KEPT):
        value = getattr(patient, name)
        form[name] = (
            value.value
            if hasattr(value, "value")
            else value.isoformat()
            if isinstance(value, date)
            else ""
            if value is None
            else str(value)
        )
    for name in CONSENTS:
        form[name] = "yes" if getattr(patient, name) else ""
    form["version"] = str(patient.version)
    form["pseudonym"] = patient.pseudonym
    return _edit_page(request, form, patient_id, [])


@pages.post("/registry/patients/{patient_id}/edit", response_model=None)
def patient_edit_submit(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    vault: Vault,
    form: FormFields,
) -> Response:
    """Save the elements; a record changed by someone else since the form was read is refused
    naming what changed (nothing is overwritten)."""
    # a blank date clears it; a blank choice keeps the element's default
    payload: dict[str, object] = {
        name: form.get(name, "").strip() or None
        for name in (*EDITABLE, *KEPT, "version")
        if form.get(name, "").strip() or name.endswith(("_date", "_code"))
    }
    payload.update({name: form.get(name) == "yes" for name in CONSENTS})
    payload["biobank"] = form.get("biobank", "").strip()
    payload["icf_codes"] = form.get("icf_codes", "").strip()
    payload["confirm_warnings"] = form.get("confirm_warnings") == "yes"
    try:
        with invalid_as(_("Invalid patient.")):
            data = PatientUpdateIn.model_validate(payload)
        service.update(
            session=session, principal=user, kb=kb, patient_id=patient_id, data=data, vault=vault
        )
    except RareCareError as exc:
        session.rollback()
        confirm = isinstance(exc, NeedsConfirmation)
        return _edit_page(request, form, patient_id, error_lines(exc), exc.status_code, confirm)
    return RedirectResponse(f"/registry/patients/{patient_id}", status_code=303)


# ------------------------------------------------------------------------ duplicate worklist
@pages.get("/registry/duplicates", response_class=HTMLResponse)
def duplicates_page(
    request: Request, user: CurrentUser, session: DbSession, done: str = ""
) -> HTMLResponse:
    return _duplicates_view(request, user, session, [], done=done)


def _duplicates_view(
    request: Request,
    user: Principal,
    session: DbSession,
    errors: list[str],
    *,
    done: str = "",
    status: int = 200,
) -> HTMLResponse:
    flagged = duplicates.worklist(session=session, principal=user)
    earlier = duplicates.earlier_records(session=session, principal=user, flagged=flagged)
    return render(
        request,
        "duplicates.html",
        {
            "flagged": flagged,
            "earlier": earlier,
            "centres": {c.id: c.name for c in centres.list_centres(session=session)},
            "errors": errors,
            "done": done,
            "can_review": user.role in duplicates.REVIEWERS,
        },
        status_code=status,
    )


@pages.post("/registry/patients/{patient_id}/distinct", response_model=None)
def duplicates_mark_distinct(
    patient_id: int, request: Request, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    """Mark a flagged record as another person (with the reason)."""
    try:
        duplicates.mark_distinct(
            session=session,
            principal=user,
            patient_id=patient_id,
            reason=form.get("reason", ""),
        )
    except RareCareError as exc:
        session.rollback()
        return _duplicates_view(request, user, session, error_lines(exc), status=exc.status_code)
    return RedirectResponse("/registry/duplicates?done=distinct", status_code=303)


@pages.post("/registry/patients/{patient_id}/merge", response_model=None)
def duplicates_merge(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    vault: Vault,
    form: FormFields,
) -> Response:
    """Merge a flagged record into the earlier one; opens the merged record."""
    try:
        kept = duplicates.merge(
            session=session,
            principal=user,
            vault=vault,
            patient_id=patient_id,
            reason=form.get("reason", ""),
        )
    except RareCareError as exc:
        session.rollback()
        return _duplicates_view(request, user, session, error_lines(exc), status=exc.status_code)
    return RedirectResponse(f"/registry/patients/{kept.id}?merged=1", status_code=303)


# ------------------------------------------------------------------------ data quality
@pages.get("/registry/quality", response_class=HTMLResponse)
def quality_page(
    request: Request, user: CurrentUser, session: DbSession, centre: int | None = None
) -> HTMLResponse:
    """A centre's data-quality worklist (administrators choose the centre)."""
    listing = centres.list_centres(session=session)
    if user.centre_id is None and centre is None and listing:
        centre = listing[0].id
    found = quality.report(session=session, principal=user, centre_id=centre)
    return render(
        request,
        "quality.html",
        {
            "report": found,
            "centres": listing,
            "centre_names": {c.id: c.name for c in listing},
            "kinds": quality.KIND_LABELS,
            "field_labels": quality.FIELD_LABELS,
        },
    )


@pages.post("/registry/alerts/{reanalysis_id}/acknowledge", response_model=None)
def alert_acknowledge(
    reanalysis_id: int, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    """A clinician has seen a re-analysis alert: it leaves the list of open alerts."""
    row = reanalysis.acknowledge(session=session, principal=user, reanalysis_id=reanalysis_id)
    back = "/registry" if form.get("back") == "registry" else f"/registry/patients/{row.patient_id}"
    return RedirectResponse(f"{back}?acknowledged=1", status_code=303)
