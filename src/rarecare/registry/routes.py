"""Registry JSON API. Every endpoint goes through the scoped, audited service."""

from __future__ import annotations

from typing import IO, Annotated

from fastapi import APIRouter, BackgroundTasks, Body, File, Query, UploadFile
from fastapi.responses import Response

from rarecare.diagnosis.deps import Engine
from rarecare.jobs.deps import Runner
from rarecare.jobs.schemas import JobOut
from rarecare.registry import (
    bulk,
    clock,
    consent,
    disclosure,
    duplicates,
    identities,
    quality,
    reanalysis,
    service,
    similarity,
)
from rarecare.registry import jobs as registry_jobs
from rarecare.registry.deps import Vault
from rarecare.registry.models import ConsentPurpose, DiagnosticStatus
from rarecare.registry.schemas import (
    ConsentIn,
    ConsentOut,
    DelayOut,
    DiagnosisIn,
    DiagnosisOut,
    EncounterIn,
    EncounterOut,
    IdentityOut,
    PatientIn,
    PatientOut,
    PatientUpdateIn,
    PhenotypeIn,
    PhenotypeOut,
    QualityOut,
    WithdrawalIn,
)
from rarecare.web.deps import AppSettings, CurrentUser, DbSession, Knowledge
from rarecare.web.downloads import MEDIA_TYPES, check_format, download, spooled_download
from rarecare.web.uploads import read_upload

api = APIRouter(prefix="/api/registry", tags=["registry"])


@api.post("/patients", response_model=PatientOut, status_code=201)
def register(
    data: PatientIn, user: CurrentUser, session: DbSession, kb: Knowledge, vault: Vault
) -> PatientOut:
    """Register a patient (clinicians and data managers, at their own centre). Identities are
    encrypted; the record is keyed by a pseudonym. A person already registered at another centre
    is flagged as a possible duplicate."""
    patient = service.register(session=session, principal=user, kb=kb, vault=vault, data=data)
    return disclosure.patient_out(patient, user)


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
    return disclosure.patient_views(session=session, principal=user, patients=patients)


@api.get("/worklist/undiagnosed", response_model=list[PatientOut])
def worklist(user: CurrentUser, session: DbSession) -> list[PatientOut]:
    """Patients not diagnosed 12 months after first specialist contact."""
    patients = clock.undiagnosed_worklist(session=session, principal=user)
    return disclosure.patient_views(session=session, principal=user, patients=patients)


@api.get("/patients/{patient_id}", response_model=PatientOut)
def read(patient_id: int, user: CurrentUser, session: DbSession) -> PatientOut:
    patient = service.get(session=session, principal=user, patient_id=patient_id)
    [view] = disclosure.patient_views(session=session, principal=user, patients=[patient])
    return view


@api.put("/patients/{patient_id}", response_model=PatientOut)
def update(
    patient_id: int,
    data: PatientUpdateIn,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    vault: Vault,
) -> PatientOut:
    patient = service.update(
        session=session, principal=user, kb=kb, patient_id=patient_id, data=data, vault=vault
    )
    return disclosure.patient_out(patient, user)


@api.get("/patients/{patient_id}/delay", response_model=DelayOut)
def delay(patient_id: int, user: CurrentUser, session: DbSession) -> DelayOut:
    """The diagnostic-delay clock: onset → first specialist contact → confirmed diagnosis."""
    return clock.delay(service.get(session=session, principal=user, patient_id=patient_id))


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
    """Share the record with another centre (no tracked referral: a referral with its steps,
    notifications and times is ``POST /api/network/patients/{id}/referrals``)."""
    shared = service.share_with(
        session=session, principal=user, patient_id=patient_id, centre_code=centre_code
    )
    return disclosure.patient_out(shared, user)


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
    return identities.reveal_identity(
        session=session, principal=user, vault=vault, patient_id=patient_id, reason=reason
    )


# ---------------------------------------------------------------------- duplicate review
@api.get("/duplicates", response_model=list[PatientOut])
def duplicate_worklist(user: CurrentUser, session: DbSession) -> list[PatientOut]:
    """Records flagged as possibly the same person as an earlier record, to review."""
    flagged = duplicates.worklist(session=session, principal=user)
    return disclosure.patient_views(session=session, principal=user, patients=flagged)


@api.post("/patients/{patient_id}/distinct", response_model=PatientOut)
def mark_distinct(
    patient_id: int,
    user: CurrentUser,
    session: DbSession,
    reason: Annotated[str, Body(embed=True)],
) -> PatientOut:
    """Record that a flagged record is another person than the earlier one (audited)."""
    patient = duplicates.mark_distinct(
        session=session, principal=user, patient_id=patient_id, reason=reason
    )
    return disclosure.patient_out(patient, user)


@api.post("/patients/{patient_id}/merge", response_model=PatientOut)
def merge(
    patient_id: int,
    user: CurrentUser,
    session: DbSession,
    vault: Vault,
    reason: Annotated[str, Body(embed=True)],
) -> PatientOut:
    """Merge a flagged record into the earlier record it duplicates; answers the earlier
    record. Needs access to both (across centres: an admin). Audited with what moved."""
    kept = duplicates.merge(
        session=session, principal=user, vault=vault, patient_id=patient_id, reason=reason
    )
    return disclosure.patient_out(kept, user)


# ---------------------------------------------------------------------------- bulk files


@api.get("/template.{fmt}")
def import_template(fmt: str, user: CurrentUser) -> Response:
    """The import template (CSV or XLSX) with an example row and the columns explained."""
    check_format(fmt)
    return download(bulk.template(fmt), f"rarecare-registry-template.{fmt}", fmt)


@api.post("/import")
def import_file(
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
        content=read_upload(file),
        filename=file.filename or "upload.csv",
        dry_run=dry_run,
    )


@api.post("/import/jobs", status_code=202, response_model=JobOut)
def import_job(
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    runner: Runner,
    tasks: BackgroundTasks,
    file: Annotated[UploadFile, File(description="CSV or XLSX following the template")],
    dry_run: bool = False,
) -> JobOut:
    """The same import as a background job (large files): answers at once with the job to
    follow at ``/api/jobs/{id}`` (or the page ``/jobs/{id}``)."""
    job = registry_jobs.submit_import(
        session=session,
        principal=user,
        settings=settings,
        filename=file.filename or "upload.csv",
        content=read_upload(file),
        dry_run=dry_run,
    )
    tasks.add_task(runner.start, job.id)  # once this request's transaction has committed
    return JobOut.model_validate(job)


@api.post("/export/jobs", status_code=202, response_model=JobOut)
def export_job(
    user: CurrentUser,
    session: DbSession,
    runner: Runner,
    tasks: BackgroundTasks,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "csv",
) -> JobOut:
    """Every record the user may see, exported in the background; the finished job's file is
    at ``/api/jobs/{id}/file``."""
    job = registry_jobs.submit_export(session=session, principal=user, fmt=fmt)
    tasks.add_task(runner.start, job.id)
    return JobOut.model_validate(job)


@api.get("/export.{fmt}")
def export_file(fmt: str, user: CurrentUser, session: DbSession) -> Response:
    """Every pseudonymised record the user may see (no identities), as CSV or XLSX; cells that
    a spreadsheet would run as formulas are neutralised."""
    check_format(fmt)
    return spooled_download(
        lambda target: bulk.export_table(session=session, principal=user, fmt=fmt, target=target),
        f"rarecare-registry.{fmt}",
        MEDIA_TYPES[fmt],
    )


@api.get("/export/phenopackets")
def export_phenopackets(user: CurrentUser, session: DbSession, kb: Knowledge) -> Response:
    """GA4GH Phenopacket v2 documents (a JSON list) of the records the user may see."""

    def write(target: IO[bytes]) -> None:
        target.write(b"[")
        for i, document in enumerate(
            bulk.export_phenopackets(session=session, principal=user, kb=kb)
        ):
            target.write((",\n" if i else "").encode() + document.encode())
        target.write(b"]")

    return spooled_download(write, "rarecare-phenopackets.json", "application/json")


@api.get("/export/fhir")
def export_fhir(user: CurrentUser, session: DbSession, kb: Knowledge) -> Response:
    """An HL7 FHIR Bundle (Patient with pseudonym only, Condition, Observation per HPO term).
    A record FHIR refuses is left out and named in an OperationOutcome entry."""
    bundle, _problems = bulk.export_fhir(session=session, principal=user, kb=kb)
    return Response(bundle, media_type="application/fhir+json")


@api.post("/import/phenopacket", response_model=PatientOut, status_code=201)
def import_phenopacket(
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    vault: Vault,
    file: Annotated[UploadFile, File(description="GA4GH Phenopacket v2 JSON")],
    province: Annotated[str, Query(pattern=r"^\d{2}$")],
) -> PatientOut:
    """Register a patient from a phenopacket at the user's centre."""
    text = read_upload(file).decode("utf-8")
    patient = bulk.import_phenopacket(
        session=session, principal=user, kb=kb, vault=vault, text=text, province_code=province
    )
    return disclosure.patient_out(patient, user)


@api.get("/alerts")
def list_alerts(user: CurrentUser, session: DbSession) -> list[dict[str, object]]:
    """Unacknowledged re-analysis alerts on the patients the user may see."""
    return [
        {
            "reanalysis_id": r.id,
            "patient_id": p.id,
            "pseudonym": p.pseudonym,
            "run_at": r.run_at,
            "changes": reanalysis.describe(r.changes),
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
        "changes": reanalysis.describe(row.changes),
        "alert": row.alert,
        "acknowledged_by": row.acknowledged_by,
    }


@api.get("/patients/{patient_id}/similar")
def similar_patients(
    patient_id: int,
    user: CurrentUser,
    session: DbSession,
    engine: Engine,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[dict[str, object]]:
    """The most similar registered patients (any centre), as pseudonym, centre and shared
    features only."""
    return [
        {
            "pseudonym": s.pseudonym,
            "centre_id": s.centre_id,
            "score": s.score,
            "shared": [{"hpo_id": h, "name": n} for h, n in s.shared],
        }
        for s in similarity.similar(
            session=session, principal=user, engine=engine, patient_id=patient_id, top=top
        )
    ]


@api.get("/patients/{patient_id}/encounters", response_model=list[EncounterOut])
def encounters(patient_id: int, user: CurrentUser, session: DbSession) -> list[EncounterOut]:
    patient = service.get(session=session, principal=user, patient_id=patient_id)
    return [EncounterOut.model_validate(e) for e in patient.encounters]


@api.post("/patients/{patient_id}/encounters", response_model=EncounterOut, status_code=201)
def add_encounter(
    patient_id: int, data: EncounterIn, user: CurrentUser, session: DbSession
) -> EncounterOut:
    """Record a visit (with weight and height) at the user's centre."""
    return EncounterOut.model_validate(
        service.add_encounter(session=session, principal=user, patient_id=patient_id, data=data)
    )


@api.get("/patients/{patient_id}/consents", response_model=list[ConsentOut])
def consents(patient_id: int, user: CurrentUser, session: DbSession) -> list[ConsentOut]:
    """Every consent of the patient, per purpose, with withdrawals: the history, newest first."""
    record = service.open_record(session=session, principal=user, patient_id=patient_id)
    return [
        ConsentOut.model_validate(c) for c in consent.history(session=session, patient_id=record.id)
    ]


@api.post("/patients/{patient_id}/consents", response_model=ConsentOut, status_code=201)
def give_consent(
    patient_id: int, data: ConsentIn, user: CurrentUser, session: DbSession
) -> ConsentOut:
    """Record a consent for a purpose (refused while one for that purpose is current)."""
    record = service.open_record(
        session=session, principal=user, patient_id=patient_id, action="update"
    )
    return ConsentOut.model_validate(
        consent.give(
            session=session,
            record=record,
            purpose=data.purpose,
            given_on=data.given_on,
            form_version=data.form_version,
        )
    )


@api.post("/patients/{patient_id}/consents/{purpose}/withdraw", response_model=ConsentOut)
def withdraw_consent(
    patient_id: int,
    purpose: ConsentPurpose,
    data: WithdrawalIn,
    user: CurrentUser,
    session: DbSession,
) -> ConsentOut:
    """Withdraw the current consent for a purpose: no release path includes the patient for
    that purpose from now on."""
    record = service.open_record(
        session=session, principal=user, patient_id=patient_id, action="update"
    )
    return ConsentOut.model_validate(
        consent.withdraw(
            session=session, record=record, purpose=purpose, withdrawn_on=data.withdrawn_on
        )
    )


@api.get("/quality", response_model=QualityOut)
def data_quality(
    user: CurrentUser, session: DbSession, centre_id: int | None = None, limit: int = 300
) -> QualityOut:
    """A centre's data-quality worklist: implausible records, body measures, missing JRC
    elements and possible duplicates, with counts per kind (administrators name the centre)."""
    found = quality.report(
        session=session, principal=user, centre_id=centre_id, limit=min(max(limit, 0), 5000)
    )
    return QualityOut.model_validate(found, from_attributes=True)
