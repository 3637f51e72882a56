from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.errors import Conflict, NeedsConfirmation, NotFound, ValidationFailed
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import plausible, service
from rarecare.registry.models import Identity, Patient
from rarecare.registry.schemas import EncounterIn, IdentityIn, PhenotypeIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast

from .conftest import TODAY, register_patient


def test_registering_stores_no_direct_identifier_in_the_record(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    assert patient.centre_id == cast.centre_a
    assert patient.birth_month == date(2021, 3, 1)
    columns = " ".join(str(getattr(patient, c.key)) for c in Patient.__table__.columns)
    for secret in ("Lan", "001321012345", "0912345678", "Phố Huế", "TE1010123456789"):
        assert secret not in columns
    stored = db.scalar(select(Identity).where(Identity.patient_id == patient.id))
    assert stored is not None
    assert b"Lan" not in stored.blob


def test_the_same_person_at_a_second_centre_is_flagged_as_a_duplicate(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    first = register_patient(db, cast, kb, vault)
    second = register_patient(db, cast, kb, vault, who="clinician_b", full_name="NGUYEN THI LAN")
    assert second.pseudonym == first.pseudonym
    assert second.possible_duplicate_of == first.id
    with pytest.raises(Conflict):
        register_patient(db, cast, kb, vault)  # again at centre A


def test_every_bad_field_is_named(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    with pytest.raises(ValidationFailed) as err:
        register_patient(
            db,
            cast,
            kb,
            vault,
            orpha_code="ORPHA:99999999",
            diagnostic_status="confirmed",
            first_contact_date="2027-01-01",
            vital_status="dead",
            death_date="2020-01-01",
            province_code="99",
        )
    fields = {d.field for d in err.value.details}
    assert fields == {
        "orpha_code",
        "first_contact_date",
        "death_date",
        "province_code",
        "first_symptoms_date",  # after the date of death
        "onset_date",
    }


def test_nothing_begins_after_death_but_a_diagnosis_may_come_later(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    with pytest.raises(ValidationFailed) as err:
        register_patient(
            db,
            cast,
            kb,
            vault,
            vital_status="dead",
            death_date="2021-12-01",
            first_contact_date="2022-01-10",
        )
    details = {d.field: d.text for d in err.value.details}
    assert details == {"first_contact_date": "2022-01-10 is after the date of death"}
    posthumous = register_patient(
        db,
        cast,
        kb,
        vault,
        vital_status="dead",
        death_date="2022-02-01",
        diagnostic_status="confirmed",
        orpha_code="ORPHA:365",
        diagnosis_kind="date",
        diagnosis_date="2022-06-01",  # a genetic result after death
    )
    assert posthumous.id


def test_a_national_id_is_a_cccd_of_12_digits_or_a_former_cmnd_of_9(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    for bad in ("12345", "00132101234X", "0013210123456"):
        with pytest.raises(ValidationFailed) as err:
            register_patient(db, cast, kb, vault, national_id=bad)
        assert [d.field for d in err.value.details] == ["national_id"], bad
    assert register_patient(db, cast, kb, vault, national_id="012345678").id  # a CMND


def test_a_clinician_of_another_centre_cannot_see_the_patient(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    with pytest.raises(NotFound):
        service.get(session=db, principal=cast.clinician_b, patient_id=patient.id)
    assert service.search(session=db, principal=cast.clinician_b) == []
    assert [p.id for p in service.search(session=db, principal=cast.analyst)] == [patient.id]


def test_a_referral_opens_the_record_to_the_other_centre(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    service.share_with(
        session=db, principal=cast.clinician_a, patient_id=patient.id, centre_code="CENTRE-B"
    )
    assert (
        service.get(session=db, principal=cast.clinician_b, patient_id=patient.id).id == patient.id
    )


def test_reads_and_writes_are_audited(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    service.get(session=db, principal=cast.data_manager_a, patient_id=patient.id)
    service.add_phenotype(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        patient_id=patient.id,
        data=PhenotypeIn(hpo_id="HP:0001638"),
    )
    actions = [
        (e.actor_username, e.action)
        for e in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == patient.pseudonym)
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == [
        ("clinician.a", "create"),
        ("clinician.a", "give_consent"),  # research reuse
        ("clinician.a", "give_consent"),  # recontact
        ("datamanager.a", "read"),
        ("clinician.a", "add_phenotype"),
    ]


def test_the_latest_weight_comes_from_the_latest_encounter(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    from rarecare.registry.schemas import EncounterIn

    patient = register_patient(db, cast, kb, vault)
    for day, weight in (
        (date(2024, 1, 5), 11.0),
        (date(2025, 6, 1), 14.5),
        (date(2024, 8, 1), 12.0),
    ):
        service.add_encounter(
            session=db,
            principal=cast.clinician_a,
            patient_id=patient.id,
            data=EncounterIn(date=day, weight_kg=weight),
            today=TODAY,
        )
    db.refresh(patient)
    assert service.latest_weight(patient) == 14.5
    with pytest.raises(ValidationFailed):
        service.add_encounter(
            session=db,
            principal=cast.clinician_a,
            patient_id=patient.id,
            data=EncounterIn(date=date(2030, 1, 1)),
            today=TODAY,
        )


def test_a_near_homonym_is_flagged_for_review_not_merged_or_refused(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    lan = register_patient(db, cast, kb, vault, full_name="Lê Văn Lan", national_id="")
    lan_hat = register_patient(db, cast, kb, vault, full_name="Lê Văn Lân", national_id="")
    assert lan.pseudonym != lan_hat.pseudonym
    assert lan_hat.possible_duplicate_of == lan.id


def test_a_national_id_typed_in_full_width_digits_is_the_same_person(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    register_patient(db, cast, kb, vault)
    with pytest.raises(Conflict):
        register_patient(db, cast, kb, vault, national_id="００１３２１０１２３４５")


def test_it_refuses_a_weight_or_height_implausible_for_the_age_naming_the_range(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)  # born March 2021
    for weight, height, field in ((145.0, None, "weight_kg"), (None, 185.0, "height_cm")):
        with pytest.raises(ValidationFailed) as err:
            service.add_encounter(
                session=db,
                principal=cast.clinician_a,
                patient_id=patient.id,
                data=EncounterIn(date=date(2024, 1, 5), weight_kg=weight, height_cm=height),
                today=TODAY,
            )
        assert err.value.details[0].field == field
        assert "expected" in str(err.value.details[0])
    service.add_encounter(
        session=db,
        principal=cast.clinician_a,
        patient_id=patient.id,
        data=EncounterIn(date=date(2024, 1, 5), weight_kg=13.0, height_cm=92.0),
        today=TODAY,
    )


def test_a_health_insurance_number_is_a_card_of_15_or_a_social_number_of_10() -> None:
    def problems(number: str) -> list[str]:
        identity = IdentityIn(
            full_name="Nguyễn Văn A", birth_date=date(2020, 1, 1), insurance_number=number
        )
        return [e.field for e in plausible.check_identity(identity)]

    assert problems("TE1010123456789") == []
    assert problems("te-1-01-0123456789") == []
    assert problems("0123456789") == []
    assert problems("TE6010123456789") == ["insurance_number"]  # benefit level 1–5
    assert problems("12345") == ["insurance_number"]


def test_unusual_but_possible_dates_are_saved_once_confirmed_and_audited(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    screened = {"first_symptoms_date": "2022-03-01", "first_contact_date": "2022-01-10"}
    with pytest.raises(NeedsConfirmation) as caught:
        register_patient(db, cast, kb, vault, **screened)
    assert [d.field for d in caught.value.details] == ["first_symptoms_date"]
    assert caught.value.code == "confirmation_required"
    patient = register_patient(db, cast, kb, vault, confirm_warnings=True, **screened)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "create")).all()[-1]
    assert event.object_id == patient.pseudonym and event.detail is not None
    assert event.detail["confirmed"] == ["first_symptoms_date"]


def test_a_record_says_how_the_case_was_detected(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    screened = register_patient(db, cast, kb, vault, detection="newborn_screening")
    assert screened.detection.value == "newborn_screening"
    before = register_patient(db, cast, kb, vault, full_name="Vũ Văn Định", national_id="")
    assert before.detection.value == "unknown"
