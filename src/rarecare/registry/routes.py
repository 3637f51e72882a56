"""Registry JSON API. Every endpoint goes through the scoped, audited service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from rarecare.registry import service
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
