import json

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from rarecare.knowledge import KnowledgeBase
from rarecare.registry import bulk, service
from rarecare.registry.models import DiagnosticStatus
from rarecare.registry.schemas import DiagnosisIn, PatientIn, PhenotypeIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast

from .conftest import TODAY, patient_payload


def _pompe_patient(db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault) -> int:
    patient = service.register(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        vault=vault,
        data=PatientIn.model_validate(patient_payload()),
        today=TODAY,
    )
    for term, excluded in (("HP:0001639", False), ("HP:0001252", False), ("HP:0001250", True)):
        service.add_phenotype(
            session=db,
            principal=cast.clinician_a,
            kb=kb,
            patient_id=patient.id,
            data=PhenotypeIn(hpo_id=term, excluded=excluded),
        )
    service.add_diagnosis(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        patient_id=patient.id,
        data=DiagnosisIn(orpha_code="ORPHA:365", status=DiagnosticStatus.CONFIRMED),
        today=TODAY,
    )
    return patient.id


def test_phenopacket_export_then_import_round_trips(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    original_id = _pompe_patient(db, cast, kb, vault)
    (document,) = bulk.export_phenopackets(session=db, principal=cast.clinician_a, kb=kb)
    assert "Nguyễn" not in document
    imported = bulk.import_phenopacket(
        session=db,
        principal=cast.clinician_b,
        kb=kb,
        vault=vault,
        text=document,
        province_code="79",
        today=TODAY,
    )
    original = service.get(session=db, principal=cast.clinician_a, patient_id=original_id)
    a, b = bulk.snapshot(original, kb), bulk.snapshot(imported, kb)
    assert (b.sex, b.birth_month, b.orpha_code, b.diagnostic_status, b.icd10_code, b.omim_code) == (
        a.sex,
        a.birth_month,
        a.orpha_code,
        a.diagnostic_status,
        a.icd10_code,
        a.omim_code,
    )
    assert sorted(b.features) == sorted(a.features)


def test_the_fhir_bundle_validates_and_carries_no_identity(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    _pompe_patient(db, cast, kb, vault)
    text = bulk.export_fhir(session=db, principal=cast.analyst, kb=kb)
    bundle = Bundle.model_validate_json(text)
    kinds = [type(e.resource).__name__ for e in bundle.entry or []]
    assert kinds == ["Patient", "Condition", "Observation", "Observation", "Observation"]
    data = json.loads(text)
    condition = data["entry"][1]["resource"]["code"]["coding"]
    assert {"system": "http://www.orpha.net", "code": "365"}.items() <= condition[0].items()
    assert any(c["code"] == "E74.0" for c in condition)
    assert "Nguyễn" not in text
    assert "001321012345" not in text
