from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Principal, Role
from rarecare.accounts import service as accounts
from rarecare.accounts.schemas import UserIn
from rarecare.centres import service as centres
from rarecare.centres.models import CentreLevel
from rarecare.centres.schemas import CentreIn
from rarecare.demo.service import load_lists
from rarecare.diagnosis import DiagnosisEngine
from rarecare.diagnosis import service as diagnosis
from rarecare.knowledge import KnowledgeBase
from rarecare.network import labs, screening
from rarecare.network.models import LabTest, TestKind
from rarecare.network.schemas import LaboratoryIn, LabTestIn, ProgrammeIn
from rarecare.registry.models import Patient
from rarecare.registry.vault import IdentityVault
from tests.conftest import KNOWLEDGE_CACHE, PASSWORD, Cast
from tests.registry.conftest import KEY, register_patient


@dataclass
class Network:
    cast: Cast
    patient: Patient  # registered at centre B (the provincial side), suspected Pompe
    centre_c: int
    clinician_c: Principal
    gaa: LabTest  # GAA activity on dried blood spot, 14 days
    vault: IdentityVault


@pytest.fixture
def vault() -> IdentityVault:
    return IdentityVault(KEY)


@pytest.fixture
def network(db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault) -> Network:
    c = centres.create_centre(
        session=db,
        principal=SYSTEM,
        data=CentreIn(
            code="CENTRE-C", name="Centre C", level=CentreLevel.PROVINCIAL, province_code="48"
        ),
    )
    user = accounts.create_user(
        session=db,
        principal=SYSTEM,
        data=UserIn(
            username="clinician.c",
            password=PASSWORD,
            role=Role.CLINICIAN,
            centre_code="CENTRE-C",
            display_name="Clinician C",
        ),
    )
    patient = register_patient(
        db, cast, kb, vault, who="clinician_b", full_name="Trần Văn Bình", national_id=""
    )
    from rarecare.registry import service as registry
    from rarecare.registry.schemas import PhenotypeIn

    for term in ("HP:0001638", "HP:0003198", "HP:0001252"):  # cardiomyopathy, myopathy, hypotonia
        registry.add_phenotype(
            session=db,
            principal=cast.clinician_b,
            kb=kb,
            patient_id=patient.id,
            data=PhenotypeIn(hpo_id=term),
        )
    labs.add_laboratory(
        session=db,
        principal=cast.admin,
        data=LaboratoryIn(
            code="LAB-A", name="Lab of centre A", province_code="01", centre_code="CENTRE-A"
        ),
    )
    gaa = labs.add_test(
        session=db,
        principal=cast.admin,
        kb=kb,
        data=LabTestIn(
            laboratory_code="LAB-A",
            code="GAA-DBS",
            name="GAA activity (dried blood spot)",
            kind=TestKind.ENZYME_ASSAY,
            orpha_codes=["ORPHA:365"],
            sample_type="dried blood spot",
            turnaround_days=14,
            price_vnd=1_500_000,
            insurance_covered=True,
        ),
    )
    return Network(cast, patient, c.id, accounts.principal_for(user), gaa, vault)


@pytest.fixture
def diagnosis_engine(kb: KnowledgeBase) -> DiagnosisEngine:
    return diagnosis.engine_for(kb, KNOWLEDGE_CACHE)


@pytest.fixture
def programme(db: Session, network: Network, kb: KnowledgeBase) -> int:
    load_lists(db, kb)
    made = screening.add_programme(
        session=db,
        principal=network.cast.analyst,
        kb=kb,
        data=ProgrammeIn(code="NBS-X", name="Expanded screening", orpha_codes=["ORPHA:716"]),
    )
    return made.id
