"""Registry pages: patient list and worklists, registration, the patient page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from rarecare import i18n
from rarecare.access import Principal, Role
from rarecare.centres import service as centres
from rarecare.diagnosis.deps import Engine
from rarecare.diagnosis.engine import DiagnosisEngine
from rarecare.errors import NeedsConfirmation, RareCareError, ValidationFailed, field_errors
from rarecare.geo import REGIONS, current_provinces, province_names
from rarecare.i18n import N_, _
from rarecare.jobs.deps import Runner
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import (
    browse,
    bulk,
    clock,
    disclosure,
    identities,
    keys,
    reanalysis,
    service,
    similarity,
    suggest,
)
from rarecare.registry import jobs as registry_jobs
from rarecare.registry.deps import Vault
from rarecare.registry.models import DiagnosticStatus
from rarecare.registry.schemas import (
    IdentityOut,
    PatientIn,
    PhenotypeIn,
)
from rarecare.registry.vault import IDENTITY_FIELDS
from rarecare.registry.vocabulary import ACMG_CLASSES, ENCOUNTER_KINDS, ZYGOSITIES
from rarecare.web.deps import AppSettings, CurrentUser, DbSession, Knowledge
from rarecare.web.forms import FormFields, error_lines, invalid_as
from rarecare.web.site import Section
from rarecare.web.templating import render
from rarecare.web.uploads import read_upload

# ------------------------------------------------------------------------------------ pages
pages = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
SORT_LABELS = {
    "newest": N_("newest first"),
    "oldest": N_("oldest first"),
    "updated": N_("recently changed"),
    "pseudonym": N_("pseudonym"),
    "first_contact": N_("first specialist contact"),
    "status": N_("status"),
}

SECTION = Section(
    key="registry",
    closed_to=frozenset({Role.COMMITTEE, Role.RESEARCHER}),
    title=N_("Registry"),
    summary=N_(
        "Pseudonymised patient records with the EU common data elements, phenotypes, "
        "diagnoses and the diagnostic-delay clock."
    ),
)


@pages.get("/registry", response_class=HTMLResponse)
def registry_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    settings: AppSettings,
    q: str = "",
    province: str = "",
    status: str = "",
    centre: str = "",
    disease: str = "",
    delay: str = "",
    id_kind: str = "",
    identifier: str = "",
    sort: str = "newest",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """The records the user may see: filters, sorting, pages of 50 with the total, and a
    person found by national ID, insurance number or exact full name (blind index)."""
    shown = {
        "q": q,
        "province": province,
        "status": status,
        "centre": centre,
        "disease": disease,
        "delay": delay,
        "id_kind": id_kind,
        "sort": sort,
    }
    try:
        query = browse.RegistryQuery.model_validate(
            {
                "pseudonym": q or None,
                "province_code": province or None,
                "status": status or None,
                "centre_id": centre or None,
                "orpha_code": disease or None,
                "undiagnosed_for_days": delay or None,
                "identifier_kind": id_kind or None,
                "identifier": identifier or None,
                "sort": sort or "newest",
            }
        )
    except ValidationError as exc:
        raise ValidationFailed(_("Invalid filter."), field_errors(exc.errors())) from exc
    # the vault only for a search by identifier, and only read (a list page writes nothing)
    vault = (
        keys.vault_for(session=session, settings=settings, record=False)
        if query.identifier
        else None
    )
    patients, total = browse.browse(
        session=session,
        principal=user,
        vault=vault,
        query=query,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    worklist = clock.undiagnosed_worklist(session=session, principal=user, limit=50)
    open_alerts = reanalysis.alerts(session=session, principal=user, limit=50)
    return render(
        request,
        "registry.html",
        {
            "patients": disclosure.patient_views(
                session=session, principal=user, patients=patients
            ),
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "query": {k: v for k, v in shown.items() if v},
            "searched_identifier": bool(identifier.strip()),
            "regions": REGIONS,
            "worklist": worklist,
            "alerts": [(p, r, reanalysis.describe(r.changes)) for p, r in open_alerts],
            **shown,
            "names": {
                p.orpha_code: kb.diseases[p.orpha_code].name
                for p in patients
                if p.orpha_code and p.orpha_code in kb.diseases
            },
            "provinces": province_names(),
            "centres": {c.id: c.name for c in centres.list_centres(session=session)},
            "sorts": SORT_LABELS,
        },
    )


@pages.get("/registry/new", response_class=HTMLResponse)
def new_patient_page(request: Request, user: CurrentUser) -> HTMLResponse:
    return _new_patient_page(request, {})


@pages.post("/registry/new", response_model=None)
def new_patient_submit(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    vault: Vault,
    form: FormFields,
) -> Response:
    payload: dict[str, object] = {
        k: v for k, v in form.items() if v and k not in IDENTITY_FIELDS and k != "csrf_token"
    }
    payload["identity"] = {k: form.get(k, "") for k in IDENTITY_FIELDS}
    for flag in ("contact_for_research", "consent_reuse", "biosample"):
        payload[flag] = form.get(flag) == "yes"
    try:
        data = PatientIn.model_validate(payload)
        patient = service.register(session=session, principal=user, kb=kb, vault=vault, data=data)
    except ValidationError as exc:
        errors = [str(e) for e in field_errors(exc.errors())]
        return _new_patient_page(request, form, errors, status_code=422)
    except RareCareError as exc:
        session.rollback()
        return _new_patient_page(
            request,
            form,
            error_lines(exc),
            status_code=exc.status_code,
            confirm=isinstance(exc, NeedsConfirmation),
        )
    return RedirectResponse(f"/registry/patients/{patient.id}", status_code=303)


def _new_patient_page(
    request: Request,
    form: dict[str, str],
    errors: list[str] | None = None,
    *,
    status_code: int = 200,
    confirm: bool = False,
) -> HTMLResponse:
    """The new-patient page (the form and the phenopacket upload), again with what was wrong."""
    return render(
        request,
        "patient_new.html",
        {
            "form": form,
            "provinces": current_provinces(),
            "errors": errors or [],
            "confirm": confirm,
        },
        status_code=status_code,
    )


@pages.post("/registry/new/phenopacket", response_model=None)
def new_patient_from_phenopacket(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    vault: Vault,
    file: Annotated[UploadFile, File()],
    province: Annotated[str, Form()] = "",
) -> Response:
    """Register a patient from a GA4GH Phenopacket v2 (JSON) at the user's centre."""
    try:
        text = read_upload(file).decode("utf-8")
    except UnicodeDecodeError:
        text = ""  # refused below as not a phenopacket
    try:
        with invalid_as(_("The phenopacket cannot be registered.")):
            patient = bulk.import_phenopacket(
                session=session,
                principal=user,
                kb=kb,
                vault=vault,
                text=text,
                province_code=province,
            )
    except RareCareError as exc:
        session.rollback()
        return _new_patient_page(
            request, {"province_code": province}, error_lines(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/registry/patients/{patient.id}", status_code=303)


def _patient_view(
    request: Request,
    user: Principal,
    session: DbSession,
    kb: KnowledgeBase,
    engine: DiagnosisEngine,
    patient_id: int,
    *,
    errors: list[str] | None = None,
    identity: IdentityOut | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    patient = service.get(session=session, principal=user, patient_id=patient_id)
    suggestions = suggest.suggestions(engine=engine, patient=patient, top=5)
    diseases = [d.orpha_code for d in patient.diagnoses] + [patient.orpha_code or ""]
    orpha_for: dict[str, str | None] = {}
    for result in suggestions.results if suggestions else []:
        orpha = [c for c in result.codes if c.startswith("ORPHA:")] or kb.exact_orpha_for(
            result.code
        )
        orpha_for[result.code] = orpha[0] if orpha else None
    latest = reanalysis.latest_for(session=session, principal=user, patient_id=patient_id)
    return render(
        request,
        "patient.html",
        {
            "p": patient,
            "shown": disclosure.patient_views(session=session, principal=user, patients=[patient])[
                0
            ],
            "regions": REGIONS,
            "orpha_for": orpha_for,
            "reanalysis": latest,
            "reanalysis_changes": reanalysis.describe(latest.changes) if latest else [],
            "disease_names": {c: kb.diseases[c].name for c in diseases if c in kb.diseases},
            "delay": clock.delay(patient),
            "suggestions": suggestions,
            "identity": identity,
            "terms": {
                t: kb.term_name(t, i18n.current_locale.get())
                for t in [ph.hpo_id for ph in patient.phenotypes]
                + [q.hpo_id for q in (suggestions.questions if suggestions else [])]
            },
            "provinces": province_names(),
            "centres": {c.id: c.name for c in centres.list_centres(session=session)},
            "can_write": user.role.value in ("clinician", "data_manager"),
            "errors": errors or [],
            "zygosities": ZYGOSITIES,
            "acmg_classes": ACMG_CLASSES,
            "encounter_kinds": ENCOUNTER_KINDS,
            "statuses": [s.value for s in DiagnosticStatus if s != DiagnosticStatus.UNDIAGNOSED],
        },
        status_code=status_code,
    )


@pages.get("/registry/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    engine: Engine,
) -> HTMLResponse:
    return _patient_view(request, user, session, kb, engine, patient_id)


@pages.get("/registry/terms", response_class=HTMLResponse)
def patient_term_suggestions(
    request: Request, user: CurrentUser, kb: Knowledge, patient_id: int, q: str = ""
) -> HTMLResponse:
    hits = (
        [h for h in kb.search_terms(q, limit=10) if kb.ontology.is_phenotypic(h.code)]
        if q.strip()
        else []
    )
    return render(
        request,
        "_patient_terms.html",
        {
            "terms": [(h.code, kb.term_name(h.code, i18n.current_locale.get())) for h in hits],
            "patient_id": patient_id,
            "q": q,
        },
    )


def _act(
    request: Request,
    user: Principal,
    session: DbSession,
    kb: KnowledgeBase,
    engine: DiagnosisEngine,
    patient_id: int,
    action: Callable[[], object],
    anchor: str,
) -> Response:
    """Run a form action on the patient page: back to the page on success, the page with the
    errors (nothing written) on failure."""
    try:
        action()
    except RareCareError as exc:
        session.rollback()
        return _patient_view(
            request,
            user,
            session,
            kb,
            engine,
            patient_id,
            errors=error_lines(exc),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/registry/patients/{patient_id}#{anchor}", status_code=303)


@pages.post("/registry/patients/{patient_id}/phenotypes", response_model=None)
def patient_add_phenotype(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    engine: Engine,
    hpo_id: Annotated[str, Form()],
    excluded: Annotated[bool, Form()] = False,
) -> Response:
    return _act(
        request,
        user,
        session,
        kb,
        engine,
        patient_id,
        lambda: service.add_phenotype(
            session=session,
            principal=user,
            kb=kb,
            patient_id=patient_id,
            data=PhenotypeIn(hpo_id=hpo_id, excluded=excluded),
        ),
        "phenotypes",
    )


@pages.post("/registry/patients/{patient_id}/identity", response_class=HTMLResponse)
def patient_reveal(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    engine: Engine,
    vault: Vault,
    reason: Annotated[str, Form()] = "",
) -> HTMLResponse:
    identity = identities.reveal_identity(
        session=session, principal=user, vault=vault, patient_id=patient_id, reason=reason
    )
    return _patient_view(request, user, session, kb, engine, patient_id, identity=identity)


@pages.get("/registry/patients/{patient_id}/similar", response_class=HTMLResponse)
def similar_fragment(
    patient_id: int, request: Request, user: CurrentUser, session: DbSession, engine: Engine
) -> HTMLResponse:
    found = similarity.similar(
        session=session, principal=user, engine=engine, patient_id=patient_id, top=8
    )
    names = {c.id: c.name for c in centres.list_centres(session=session)}
    return render(request, "_similar.html", {"similar": found, "centres": names})


# ------------------------------------------------------------ bulk files, in the background
@pages.post("/registry/import", response_model=None)
def import_submit(
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    runner: Runner,
    tasks: BackgroundTasks,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
) -> Response:
    """Start the import as a background job and follow it on its page."""
    job = registry_jobs.submit_import(
        session=session,
        principal=user,
        settings=settings,
        filename=file.filename or "upload.csv",
        content=read_upload(file),
        dry_run=dry_run,
    )
    tasks.add_task(runner.start, job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@pages.post("/registry/export", response_model=None)
def export_submit(
    user: CurrentUser,
    session: DbSession,
    runner: Runner,
    tasks: BackgroundTasks,
    fmt: Annotated[str, Form(alias="format", pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    """Export every visible record in the background; the job's page offers the file."""
    job = registry_jobs.submit_export(session=session, principal=user, fmt=fmt)
    tasks.add_task(runner.start, job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
