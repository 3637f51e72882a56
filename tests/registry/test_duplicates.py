from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.care.models import TherapyPlan
from rarecare.errors import PermissionDenied, ValidationFailed
from rarecare.finance.models import PatientCoverage
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import duplicates, service
from rarecare.registry.models import DiagnosticStatus, IdentityKey, Patient
from rarecare.registry.schemas import DiagnosisIn, EncounterIn, PhenotypeIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast
from tests.registry.conftest import register_patient


def _pair(db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault) -> tuple[int, int]:
    """The same child registered at centre A and, a year later and without a phone, at B."""
    first = register_patient(db, cast, kb, vault, phone="", first_contact_date="2023-05-02")
    second = register_patient(
        db,
        cast,
        kb,
        vault,
        who="clinician_b",
        insurance_number="",
        phone="0987654321",
        first_contact_date="2022-11-20",
        diagnostic_status="confirmed",
        orpha_code="ORPHA:365",
        diagnosis_kind="date",
        diagnosis_date="2024-02-01",
    )
    assert second.possible_duplicate_of == first.id
    return first.id, second.id


def _fill(db: Session, cast: Cast, kb: KnowledgeBase, first: int, second: int) -> None:
    for who, pid, terms in (
        (cast.clinician_a, first, ["HP:0001638", "HP:0003198"]),
        (cast.clinician_b, second, ["HP:0001638", "HP:0001252"]),
    ):
        for term in terms:
            service.add_phenotype(
                session=db, principal=who, kb=kb, patient_id=pid, data=PhenotypeIn(hpo_id=term)
            )
    service.add_diagnosis(
        session=db,
        principal=cast.clinician_b,
        kb=kb,
        patient_id=second,
        data=DiagnosisIn(orpha_code="ORPHA:365", status=DiagnosticStatus.CONFIRMED, gene="GAA"),
    )
    service.add_encounter(
        session=db,
        principal=cast.clinician_b,
        patient_id=second,
        data=EncounterIn(date=date(2024, 3, 1), weight_kg=14.5),
        today=date(2026, 1, 1),
    )
    db.add(
        TherapyPlan(
            patient_id=second,
            centre_id=cast.centre_b,
            drug="alglucosidase alfa",
            per_kg=True,
            dose=20,
            dose_unit="mg",
            interval_days=14,
            start_date=date(2024, 3, 1),
            created_by="clinician.b",
        )
    )
    db.add(PatientCoverage(patient_id=first, groups=["children"], updated_by="clinician.a"))
    db.add(PatientCoverage(patient_id=second, groups=["poor"], updated_by="clinician.b"))
    db.flush()


def test_a_national_steward_merges_a_duplicate_into_the_earlier_record_losing_nothing(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    first, second = _pair(db, cast, kb, vault)
    _fill(db, cast, kb, first, second)
    gone = db.get(Patient, second)
    assert gone is not None
    gone_pseudonym = gone.pseudonym

    kept = duplicates.merge(
        session=db, principal=cast.admin, vault=vault, patient_id=second, reason="same CCCD"
    )

    assert kept.id == first and db.get(Patient, second) is None
    assert sorted(p.hpo_id for p in kept.phenotypes) == ["HP:0001252", "HP:0001638", "HP:0003198"]
    assert [(d.orpha_code, d.gene) for d in kept.diagnoses] == [("ORPHA:365", "GAA")]
    assert [e.weight_kg for e in kept.encounters] == [14.5]
    assert db.scalar(select(TherapyPlan.patient_id)) == first
    coverage = db.scalars(select(PatientCoverage)).all()
    assert [(c.patient_id, c.groups) for c in coverage] == [(first, ["children"])]
    # the earliest contact starts the clock; the stronger diagnosis wins
    assert kept.first_contact_date == date(2022, 11, 20)
    assert (kept.diagnostic_status, kept.orpha_code) == (DiagnosticStatus.CONFIRMED, "ORPHA:365")
    # centre B keeps access to its patient, now the earlier record
    assert service.get(session=db, principal=cast.clinician_b, patient_id=first).id == first
    # the phone only B knew fills A's identity, and the blind index still finds the person
    identity = service.stored_identity(db, vault, kept)
    assert (identity.phone, identity.insurance_number) == ("0987654321", "TE1010123456789")
    digest = vault.blind_key("insurance", "TE1010123456789")
    assert db.scalars(select(IdentityKey.patient_id).where(IdentityKey.digest == digest)).all() == [
        first
    ]
    assert db.scalar(select(func.count()).select_from(IdentityKey).where(
        IdentityKey.patient_id == second)) == 0  # fmt: skip
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "merge")).all()[-1]
    assert event.object_id == kept.pseudonym and event.detail is not None
    assert event.detail["merged_record"] == gone_pseudonym
    assert event.detail["moved"]["care_therapy_plans"] == 1


def test_a_centre_cannot_merge_into_a_record_it_cannot_see(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    _first, second = _pair(db, cast, kb, vault)
    with pytest.raises(PermissionDenied, match="national data steward"):
        duplicates.merge(
            session=db,
            principal=cast.clinician_b,
            vault=vault,
            patient_id=second,
            reason="same person",
        )
    assert db.get(Patient, second) is not None


def test_a_data_manager_merges_near_homonyms_at_their_own_centre(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    first = register_patient(db, cast, kb, vault, full_name="Lê Văn Lân", national_id="")
    second = register_patient(
        db, cast, kb, vault, full_name="Lê Văn Lan", national_id="", insurance_number=""
    )
    assert second.possible_duplicate_of == first.id
    duplicates.merge(
        session=db,
        principal=cast.data_manager_a,
        vault=vault,
        patient_id=second.id,
        reason="typing error in the name",
    )
    assert db.get(Patient, second.id) is None


def test_it_rejects_a_merge_without_a_reason_or_of_an_unflagged_record(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    first, second = _pair(db, cast, kb, vault)
    with pytest.raises(ValidationFailed):
        duplicates.merge(
            session=db, principal=cast.admin, vault=vault, patient_id=second, reason=""
        )
    with pytest.raises(ValidationFailed, match="not flagged"):
        duplicates.merge(
            session=db, principal=cast.admin, vault=vault, patient_id=first, reason="why not"
        )
