"""Therapy plans, schedules, administrations and alerts on a real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.care import followup, therapy
from rarecare.care.models import TherapyPlan
from rarecare.care.schedule import Status
from rarecare.care.schemas import AdministrationIn, PlanIn
from rarecare.centres.models import Centre
from rarecare.errors import Conflict, NotFound, ValidationFailed
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import service as registry
from rarecare.registry.models import DiagnosisRecord, Patient
from rarecare.registry.schemas import EncounterIn

from .conftest import POMPE_DRUG, TODAY, CareWorld, add_pompe_patient


def plan_for(db: Session, world: CareWorld, start: date = TODAY, **kw: object) -> TherapyPlan:
    return therapy.create_plan(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        data=PlanIn(drug=POMPE_DRUG, start_date=start, **kw),
        today=TODAY,
    )


def open_pompe(db: Session, world: CareWorld) -> registry.PatientRecord:
    return registry.open_record(
        session=db, principal=world.cast.clinician_a, patient_id=world.pompe.id
    )


def test_a_plan_takes_the_regimen_of_the_drug_list(db: Session, world: CareWorld) -> None:
    plan = plan_for(db, world)
    assert (plan.per_kg, plan.dose, plan.dose_unit, plan.interval_days) == (True, 20, "mg", 14)
    [first, *_] = therapy.patient_schedule(session=db, record=open_pompe(db, world), today=TODAY)
    assert (first.appointment.date, first.dose, first.vials) == (TODAY, 300, 6)


def test_a_weight_change_changes_the_next_dose(db: Session, world: CareWorld) -> None:
    plan_for(db, world)
    registry.add_encounter(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        data=EncounterIn(date=TODAY, weight_kg=17.6),
        today=TODAY,
    )
    [first, *_] = therapy.patient_schedule(session=db, record=open_pompe(db, world), today=TODAY)
    assert (first.dose, first.vials) == (352, 8)  # 17.6 kg × 20 mg = 352 mg → 8 vials of 50 mg


def test_it_refuses_a_drug_the_centre_does_not_give(db: Session, world: CareWorld) -> None:
    with pytest.raises(ValidationFailed) as caught:
        therapy.create_plan(
            session=db,
            principal=world.cast.clinician_a,
            patient_id=world.pompe.id,
            data=PlanIn(drug="idursulfase", start_date=TODAY),
            today=TODAY,
        )
    # idursulfase (MPS II) is off-label for Pompe disease, too
    assert [d.field for d in caught.value.details] == ["drug", "indication_override"]
    assert "does not give idursulfase" in str(caught.value)


def test_an_off_label_plan_needs_a_reason_that_is_audited(
    db: Session, world: CareWorld, kb: KnowledgeBase
) -> None:
    db.execute(update(Centre).where(Centre.id == world.cast.centre_a).values(
        therapies=["alglucosidase alfa", "idursulfase"]))  # fmt: skip
    db.expire_all()

    def plan(reason: str) -> TherapyPlan:
        return therapy.create_plan(
            session=db,
            principal=world.cast.clinician_a,
            patient_id=world.pompe.id,
            data=PlanIn(drug="idursulfase", start_date=TODAY, indication_override=reason),
            kb=kb,
            today=TODAY,
        )

    with pytest.raises(ValidationFailed, match="off-label"):
        plan("")
    with pytest.raises(ValidationFailed):
        plan("trial")  # too short to say why
    created = plan("compassionate use agreed by the hospital's drug committee")
    entry = db.scalars(select(AuditEvent).where(AuditEvent.action == "create_therapy_plan")).all()[
        -1
    ]
    assert entry.detail == {
        "plan": created.id,
        "drug": "idursulfase",
        "off_label": "compassionate use agreed by the hospital's drug committee",
    }


def test_a_subtype_of_a_listed_indication_is_on_label(
    db: Session, world: CareWorld, kb: KnowledgeBase
) -> None:
    infantile = "ORPHA:308552"  # infantile-onset Pompe disease, under Pompe disease (ORPHA:365)
    assert "ORPHA:365" in kb.ancestors(infantile)
    db.execute(update(Patient).where(Patient.id == world.pompe.id).values(orpha_code=infantile))
    db.execute(delete(DiagnosisRecord).where(DiagnosisRecord.patient_id == world.pompe.id))
    db.expire_all()
    created = therapy.create_plan(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        data=PlanIn(drug="alglucosidase alfa", start_date=TODAY),
        kb=kb,
        today=TODAY,
    )
    assert created.drug == "alglucosidase alfa"


def test_it_refuses_a_second_active_plan_of_the_same_drug(db: Session, world: CareWorld) -> None:
    plan_for(db, world)
    with pytest.raises(Conflict):
        plan_for(db, world)


def test_schedules_honour_capacity_and_opening_days(
    db: Session, world: CareWorld, kb: KnowledgeBase
) -> None:
    other = add_pompe_patient(
        db, world.cast, kb, world.vault, name="Võ Minh", weight=12, national_id="001322000002"
    )
    saturday = TODAY + timedelta(days=5)
    plan_for(db, world, start=saturday)
    therapy.create_plan(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=other.id,
        data=PlanIn(drug=POMPE_DRUG, start_date=saturday),
        today=TODAY,
    )
    rows = therapy.centre_schedule(
        session=db,
        principal=world.cast.clinician_a,
        centre_id=world.cast.centre_a,
        start=TODAY,
        days=14,
        today=TODAY,
    )
    days = [r.appointment.date for r in rows]
    assert all(d is not None and d.weekday() < 5 for d in days)  # closed at weekends
    assert len(set(days)) == len(days)  # one chair, one infusion a day
    assert {r.appointment.status for r in rows} == {Status.MOVED}
    assert sorted(d for d in days if d) == [
        saturday - timedelta(days=1),
        saturday + timedelta(days=2),
    ]


def test_recording_an_infusion_uses_whole_vials_and_moves_the_next_dose(
    db: Session, world: CareWorld
) -> None:
    plan = plan_for(db, world)
    given = therapy.record_administration(
        session=db,
        principal=world.cast.clinician_a,
        plan_id=plan.id,
        data=AdministrationIn(given_on=TODAY, lot="A123", reactions="mild rash"),
        today=TODAY,
    )
    assert (given.dose, given.vials, given.weight_kg, given.lot) == (300, 6, 15, "A123")
    [first, *_] = therapy.patient_schedule(session=db, record=open_pompe(db, world), today=TODAY)
    assert first.appointment.date == TODAY + timedelta(days=14)


def test_it_refuses_an_infusion_in_the_future(db: Session, world: CareWorld) -> None:
    plan = plan_for(db, world)
    with pytest.raises(ValidationFailed) as caught:
        therapy.record_administration(
            session=db,
            principal=world.cast.clinician_a,
            plan_id=plan.id,
            data=AdministrationIn(given_on=TODAY + timedelta(days=1)),
            today=TODAY,
        )
    assert caught.value.details[0].field == "given_on"


def test_a_missed_dose_raises_an_alert(db: Session, world: CareWorld) -> None:
    start = TODAY - timedelta(days=21)
    plan = plan_for(db, world, start=start)
    therapy.record_administration(
        session=db,
        principal=world.cast.clinician_a,
        plan_id=plan.id,
        data=AdministrationIn(given_on=start),
        today=TODAY,
    )
    [alert] = followup.alerts(session=db, principal=world.cast.clinician_a, today=TODAY)
    assert (alert.kind, alert.due, alert.days) == ("missed", start + timedelta(days=14), 7)
    assert followup.alerts(session=db, principal=world.cast.clinician_b, today=TODAY) == []
    [row] = followup.adherence(session=db, principal=world.cast.clinician_a, today=TODAY)
    assert row.pdc == pytest.approx(14 / 22)  # days 0-13 covered of 22 (today included)


def test_another_centre_cannot_see_or_treat_the_patient(db: Session, world: CareWorld) -> None:
    plan = plan_for(db, world)
    with pytest.raises(NotFound):
        registry.open_record(
            session=db, principal=world.cast.clinician_b, patient_id=world.pompe.id
        )
    with pytest.raises(NotFound):
        therapy.record_administration(
            session=db,
            principal=world.cast.clinician_b,
            plan_id=plan.id,
            data=AdministrationIn(given_on=TODAY),
            today=TODAY,
        )
    with pytest.raises(NotFound):
        therapy.centre_schedule(
            session=db,
            principal=world.cast.clinician_b,
            centre_id=world.cast.centre_a,
            start=TODAY,
            today=TODAY,
        )


def test_stopping_a_plan_changed_since_it_was_read_is_refused(
    db: Session, world: CareWorld
) -> None:
    plan = plan_for(db, world)
    read_at = plan.version
    therapy.stop_plan(
        session=db, principal=world.cast.clinician_a, plan_id=plan.id, version=read_at
    )
    db.flush()
    assert plan.version == read_at + 1
    with pytest.raises(Conflict):
        therapy.stop_plan(
            session=db, principal=world.cast.clinician_a, plan_id=plan.id, version=read_at
        )


def test_a_plan_cannot_start_before_birth_nor_after_death(db: Session, world: CareWorld) -> None:
    born = world.pompe.birth_month
    with pytest.raises(ValidationFailed) as early:
        plan_for(db, world, start=born - timedelta(days=1))
    assert [d.field for d in early.value.details] == ["start_date"]
    assert "before the patient's birth" in str(early.value.details[0])
    world.pompe.death_date = TODAY - timedelta(days=10)
    db.flush()
    with pytest.raises(ValidationFailed) as late:
        plan_for(db, world, start=TODAY)
    assert "after the patient's death" in str(late.value.details[0])
