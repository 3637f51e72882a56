"""Registry JSON API. Every endpoint goes through the scoped, audited service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from rarecare.access import Principal
from rarecare.care import service as care
from rarecare.diagnosis.engine import DiagnosisEngine
from rarecare.diagnosis.routes import Engine
from rarecare.errors import NotFound, RareCareError
from rarecare.geo import current_provinces
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import bulk, reanalysis, service
from rarecare.registry.identity import IdentityVault
from rarecare.registry.models import DiagnosticStatus
from rarecare.registry.schemas import (
    DelayOut,
    DiagnosisIn,
    DiagnosisOut,
    IdentityOut,
    PatientIn,
    PatientOut,
    PhenotypeIn,
    PhenotypeOut,
    RecordFields,
)
from rarecare.web.deps import AppSettings, CurrentUser, DbSession, Knowledge
from rarecare.web.templating import render

api = APIRouter(prefix="/api/registry", tags=["registry"])


def get_vault(settings: AppSettings) -> IdentityVault:
    return IdentityVault(settings.identity_key)


Vault = Annotated[IdentityVault, Depends(get_vault)]


@api.post("/patients", response_model=PatientOut, status_code=201)
def register(
    data: PatientIn, user: CurrentUser, session: DbSession, kb: Knowledge, vault: Vault
) -> PatientOut:
    """Register a patient (clinicians and data managers, at their own centre). Identities are
    encrypted; the record is keyed by a pseudonym. A person already registered at another centre
    is flagged as a possible duplicate."""
    return PatientOut.model_validate(
        service.register(session=session, principal=user, kb=kb, vault=vault, data=data)
    )


@api.get("/patients", response_model=list[PatientOut])
def search(
    user: CurrentUser,
    session: DbSession,
    pseudonym: str | None = None,
    province: str | None = None,
    orpha: str | None = None,
    status: DiagnosticStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PatientOut]:
    """Patients the user may see (own and referred centre; all for national roles)."""
    patients = service.search(
        session=session,
        principal=user,
        pseudonym=pseudonym,
        province_code=province,
        orpha_code=orpha,
        status=status,
        limit=limit,
        offset=offset,
    )
    return [PatientOut.model_validate(p) for p in patients]


@api.get("/worklist/undiagnosed", response_model=list[PatientOut])
def worklist(user: CurrentUser, session: DbSession) -> list[PatientOut]:
    """Patients not diagnosed 12 months after first specialist contact."""
    return [
        PatientOut.model_validate(p)
        for p in service.undiagnosed_worklist(session=session, principal=user)
    ]


@api.get("/patients/{patient_id}", response_model=PatientOut)
def read(patient_id: int, user: CurrentUser, session: DbSession) -> PatientOut:
    return PatientOut.model_validate(
        service.get(session=session, principal=user, patient_id=patient_id)
    )


@api.put("/patients/{patient_id}", response_model=PatientOut)
def update(
    patient_id: int,
    data: RecordFields,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    vault: Vault,
) -> PatientOut:
    return PatientOut.model_validate(
        service.update(
            session=session, principal=user, kb=kb, patient_id=patient_id, data=data, vault=vault
        )
    )


@api.get("/patients/{patient_id}/delay", response_model=DelayOut)
def delay(patient_id: int, user: CurrentUser, session: DbSession) -> DelayOut:
    """The diagnostic-delay clock: onset → first specialist contact → confirmed diagnosis."""
    return service.delay(service.get(session=session, principal=user, patient_id=patient_id))


@api.get("/patients/{patient_id}/phenotypes", response_model=list[PhenotypeOut])
def phenotypes(patient_id: int, user: CurrentUser, session: DbSession) -> list[PhenotypeOut]:
    patient = service.get(session=session, principal=user, patient_id=patient_id)
    return [PhenotypeOut.model_validate(p) for p in patient.phenotypes]


@api.post("/patients/{patient_id}/phenotypes", response_model=PhenotypeOut, status_code=201)
def add_phenotype(
    patient_id: int, data: PhenotypeIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> PhenotypeOut:
    return PhenotypeOut.model_validate(
        service.add_phenotype(
            session=session, principal=user, kb=kb, patient_id=patient_id, data=data
        )
    )


@api.get("/patients/{patient_id}/diagnoses", response_model=list[DiagnosisOut])
def diagnoses(patient_id: int, user: CurrentUser, session: DbSession) -> list[DiagnosisOut]:
    patient = service.get(session=session, principal=user, patient_id=patient_id)
    return [DiagnosisOut.model_validate(d) for d in patient.diagnoses]


@api.post("/patients/{patient_id}/diagnoses", response_model=DiagnosisOut, status_code=201)
def add_diagnosis(
    patient_id: int, data: DiagnosisIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> DiagnosisOut:
    return DiagnosisOut.model_validate(
        service.add_diagnosis(
            session=session, principal=user, kb=kb, patient_id=patient_id, data=data
        )
    )


@api.post("/patients/{patient_id}/referrals", response_model=PatientOut)
def refer(
    patient_id: int,
    user: CurrentUser,
    session: DbSession,
    centre_code: Annotated[str, Body(embed=True)],
) -> PatientOut:
    """Share the record with another centre (a referral)."""
    return PatientOut.model_validate(
        service.share_with(
            session=session, principal=user, patient_id=patient_id, centre_code=centre_code
        )
    )


@api.post("/patients/{patient_id}/identity", response_model=IdentityOut)
def reveal(
    patient_id: int,
    user: CurrentUser,
    session: DbSession,
    vault: Vault,
    reason: Annotated[str, Body(embed=True)] = "",
) -> IdentityOut:
    """Direct identifiers: the patient's own centre staff, or admins with a reason (audited);
    never the ministry."""
    return service.reveal_identity(
        session=session, principal=user, vault=vault, patient_id=patient_id, reason=reason
    )


# ------------------------------------------------------------------------------------ pages
pages = APIRouter(include_in_schema=False)


def _form_errors(exc: RareCareError) -> list[str]:
    return [exc.message, *map(str, exc.details)]


@pages.get("/registry", response_class=HTMLResponse)
def registry_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    q: str = "",
    province: str = "",
    status: str = "",
) -> HTMLResponse:
    patients = service.search(
        session=session,
        principal=user,
        pseudonym=q or None,
        province_code=province or None,
        status=DiagnosticStatus(status) if status else None,
        limit=200,
    )
    worklist = service.undiagnosed_worklist(session=session, principal=user, limit=50)
    open_alerts = reanalysis.alerts(session=session, principal=user, limit=50)
    return render(
        request,
        "registry.html",
        {
            "patients": patients,
            "worklist": worklist,
            "alerts": open_alerts,
            "q": q,
            "province": province,
            "status": status,
            "names": {
                p.orpha_code: kb.diseases[p.orpha_code].name
                for p in patients
                if p.orpha_code and p.orpha_code in kb.diseases
            },
            "provinces": {p.code: p.short for p in current_provinces()},
            "centres": {c.id: c.name for c in care.list_centres(session=session)},
        },
    )


@pages.get("/registry/new", response_class=HTMLResponse)
def new_patient_page(request: Request, user: CurrentUser) -> HTMLResponse:
    return render(
        request, "patient_new.html", {"form": {}, "errors": [], "provinces": current_provinces()}
    )


@pages.post("/registry/new", response_model=None)
async def new_patient_submit(
    request: Request, user: CurrentUser, session: DbSession, kb: Knowledge, vault: Vault
) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    identity_fields = (
        "full_name",
        "birth_date",
        "national_id",
        "insurance_number",
        "phone",
        "address",
        "guardian",
    )
    payload: dict[str, object] = {
        k: v for k, v in form.items() if v and k not in identity_fields and k != "csrf_token"
    }
    payload["identity"] = {k: form.get(k, "") for k in identity_fields}
    for flag in ("contact_for_research", "consent_reuse", "biosample"):
        payload[flag] = form.get(flag) == "yes"
    try:
        data = PatientIn.model_validate(payload)
        patient = service.register(session=session, principal=user, kb=kb, vault=vault, data=data)
    except ValidationError as exc:
        return render(
            request,
            "patient_new.html",
            {
                "form": form,
                "provinces": current_provinces(),
                "errors": [
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
                ],
            },
            status_code=422,
        )
    except RareCareError as exc:
        session.rollback()
        return render(
            request,
            "patient_new.html",
            {"form": form, "provinces": current_provinces(), "errors": _form_errors(exc)},
            status_code=exc.status_code,
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
    suggestions = service.suggestions(engine=engine, patient=patient, top=5)
    names = kb.ontology.terms
    diseases = [d.orpha_code for d in patient.diagnoses] + [patient.orpha_code or ""]
    orpha_for: dict[str, str | None] = {}
    for result in suggestions.results if suggestions else []:
        orpha = [c for c in result.codes if c.startswith("ORPHA:")] or kb.exact_orpha_for(
            result.code
        )
        orpha_for[result.code] = orpha[0] if orpha else None
    return render(
        request,
        "patient.html",
        {
            "p": patient,
            "orpha_for": orpha_for,
            "reanalysis": reanalysis.latest_for(
                session=session, principal=user, patient_id=patient_id
            ),
            "disease_names": {c: kb.diseases[c].name for c in diseases if c in kb.diseases},
            "delay": service.delay(patient),
            "suggestions": suggestions,
            "identity": identity,
            "terms": {
                ph.hpo_id: names[ph.hpo_id].name if ph.hpo_id in names else ph.hpo_id
                for ph in patient.phenotypes
            },
            "provinces": {p.code: p.short for p in current_provinces()},
            "centres": {c.id: c.name for c in care.list_centres(session=session)},
            "can_write": user.role.value in ("clinician", "data_manager"),
            "errors": errors or [],
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
            "terms": [(h.code, kb.ontology.terms[h.code].name) for h in hits],
            "patient_id": patient_id,
            "q": q,
        },
    )


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
    try:
        service.add_phenotype(
            session=session,
            principal=user,
            kb=kb,
            patient_id=patient_id,
            data=PhenotypeIn(hpo_id=hpo_id, excluded=excluded),
        )
    except RareCareError as exc:
        session.rollback()
        return _patient_view(
            request,
            user,
            session,
            kb,
            engine,
            patient_id,
            errors=_form_errors(exc),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/registry/patients/{patient_id}#phenotypes", status_code=303)


@pages.post("/registry/patients/{patient_id}/diagnoses", response_model=None)
def patient_add_diagnosis(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    engine: Engine,
    orpha_code: Annotated[str, Form()],
    status: Annotated[DiagnosticStatus, Form()],
    gene: Annotated[str, Form()] = "",
    variant: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.add_diagnosis(
            session=session,
            principal=user,
            kb=kb,
            patient_id=patient_id,
            data=DiagnosisIn(orpha_code=orpha_code, status=status, gene=gene, variant=variant),
        )
    except RareCareError as exc:
        session.rollback()
        return _patient_view(
            request,
            user,
            session,
            kb,
            engine,
            patient_id,
            errors=_form_errors(exc),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/registry/patients/{patient_id}#diagnoses", status_code=303)


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
    identity = service.reveal_identity(
        session=session, principal=user, vault=vault, patient_id=patient_id, reason=reason
    )
    return _patient_view(request, user, session, kb, engine, patient_id, identity=identity)


# ---------------------------------------------------------------------------- bulk files
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(data: bytes, filename: str, fmt: str) -> Response:
    if fmt not in _MEDIA:
        raise NotFound()
    return Response(
        data,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@api.get("/template.{fmt}")
def import_template(fmt: str, user: CurrentUser) -> Response:
    """The import template (CSV or XLSX) with an example row and the columns explained."""
    if fmt not in _MEDIA:
        raise NotFound()
    return _download(bulk.template(fmt), f"rarecare-registry-template.{fmt}", fmt)


@api.post("/import")
async def import_file(
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    vault: Vault,
    file: Annotated[UploadFile, File(description="CSV or XLSX following the template")],
    dry_run: bool = False,
) -> dict[str, object]:
    """Register many patients at the user's centre: every row or none (HTTP 422 lists every
    problem with its row and column)."""
    return bulk.import_patients(
        session=session,
        principal=user,
        kb=kb,
        vault=vault,
        content=await file.read(),
        filename=file.filename or "upload.csv",
        dry_run=dry_run,
    )


@api.get("/export.{fmt}")
def export_file(fmt: str, user: CurrentUser, session: DbSession) -> Response:
    """Pseudonymised records the user may see (no identities), as CSV or XLSX."""
    if fmt not in _MEDIA:
        raise NotFound()
    return _download(
        bulk.export_table(session=session, principal=user, fmt=fmt), f"rarecare-registry.{fmt}", fmt
    )


@api.get("/export/phenopackets")
def export_phenopackets(user: CurrentUser, session: DbSession, kb: Knowledge) -> Response:
    """GA4GH Phenopacket v2 documents (a JSON list) of the records the user may see."""
    documents = bulk.export_phenopackets(session=session, principal=user, kb=kb)
    return Response("[" + ",\n".join(documents) + "]", media_type="application/json")


@api.get("/export/fhir")
def export_fhir(user: CurrentUser, session: DbSession, kb: Knowledge) -> Response:
    """An HL7 FHIR Bundle (Patient with pseudonym only, Condition, Observation per HPO term)."""
    return Response(
        bulk.export_fhir(session=session, principal=user, kb=kb), media_type="application/fhir+json"
    )


@api.post("/import/phenopacket", response_model=PatientOut, status_code=201)
async def import_phenopacket(
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    vault: Vault,
    file: Annotated[UploadFile, File(description="GA4GH Phenopacket v2 JSON")],
    province: Annotated[str, Query(pattern=r"^\d{2}$")],
) -> PatientOut:
    """Register a patient from a phenopacket at the user's centre."""
    text = (await file.read()).decode("utf-8")
    return PatientOut.model_validate(
        bulk.import_phenopacket(
            session=session, principal=user, kb=kb, vault=vault, text=text, province_code=province
        )
    )


@api.get("/alerts")
def list_alerts(user: CurrentUser, session: DbSession) -> list[dict[str, object]]:
    """Unacknowledged re-analysis alerts on the patients the user may see."""
    return [
        {
            "reanalysis_id": r.id,
            "patient_id": p.id,
            "pseudonym": p.pseudonym,
            "run_at": r.run_at,
            "changes": r.changes,
            "top": r.top[:5],
        }
        for p, r in reanalysis.alerts(session=session, principal=user)
    ]


@api.post("/alerts/{reanalysis_id}/acknowledge", status_code=204)
def acknowledge_alert(reanalysis_id: int, user: CurrentUser, session: DbSession) -> None:
    reanalysis.acknowledge(session=session, principal=user, reanalysis_id=reanalysis_id)


@api.get("/patients/{patient_id}/reanalysis")
def latest_reanalysis(
    patient_id: int, user: CurrentUser, session: DbSession
) -> dict[str, object] | None:
    """The latest re-analysis of a patient: top suggestions and what changed."""
    row = reanalysis.latest_for(session=session, principal=user, patient_id=patient_id)
    if row is None:
        return None
    return {
        "id": row.id,
        "run_at": row.run_at,
        "knowledge_version": row.knowledge_version,
        "top": row.top,
        "changes": row.changes,
        "alert": row.alert,
        "acknowledged_by": row.acknowledged_by,
    }
