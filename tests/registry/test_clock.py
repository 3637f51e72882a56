from datetime import date

from sqlalchemy.orm import Session

from rarecare.knowledge import KnowledgeBase
from rarecare.registry import clock, service
from rarecare.registry.models import DiagnosticStatus
from rarecare.registry.schemas import DiagnosisIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast

from .conftest import TODAY, register_patient


def test_a_confirmed_diagnosis_stops_the_delay_clock(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    before = clock.delay(patient, today=TODAY)
    assert before.onset_to_first_contact_days == (date(2022, 1, 10) - date(2021, 6, 1)).days
    assert before.undiagnosed_after_one_year is True
    assert [
        p.id
        for p in clock.undiagnosed_worklist(session=db, principal=cast.clinician_a, today=TODAY)
    ] == [patient.id]
    record = service.add_diagnosis(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        patient_id=patient.id,
        data=DiagnosisIn(
            orpha_code="365",
            status=DiagnosticStatus.CONFIRMED,
            diagnosed_on=date(2023, 2, 1),
            gene="GAA",
            variant="NM_000152.5:c.-32-13T>G",
        ),
        today=TODAY,
    )
    assert (record.orpha_code, record.icd10_code, record.omim_code) == (
        "ORPHA:365",
        "E74.0",
        "OMIM:232300",
    )
    after = clock.delay(patient, today=TODAY)
    assert after.first_contact_to_diagnosis_days == (date(2023, 2, 1) - date(2022, 1, 10)).days
    assert after.undiagnosed_after_one_year is False
    assert patient.orpha_code == "ORPHA:365"
