from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Principal, Role
from rarecare.accounts import service as accounts
from rarecare.accounts.schemas import UserIn
from rarecare.care.models import Administration, TherapyPlan
from rarecare.demo.service import load_lists
from rarecare.knowledge import KnowledgeBase
from rarecare.monitoring import service
from rarecare.monitoring.models import Activity, OrgKind, Plan
from rarecare.monitoring.schemas import ActivityIn, OrganisationIn, PlanIn
from rarecare.outputs import OutputKind
from rarecare.registry.models import (
    AgeKind,
    DiagnosisRecord,
    DiagnosticStatus,
    Patient,
    Sex,
    VitalStatus,
)
from tests.conftest import PASSWORD, Cast

TODAY = date(2026, 5, 15)


@dataclass
class PlanWorld:
    cast: Cast
    committee: Principal
    plan: Plan
    led_by_a: Activity  # led by centre A's hospital
    led_by_b: Activity  # led by centre B's hospital
    list_activity: Activity  # must produce the national disease list


@pytest.fixture
def world(db: Session, cast: Cast) -> PlanWorld:
    secretary = accounts.principal_for(
        accounts.create_user(
            session=db,
            principal=SYSTEM,
            data=UserIn(username="secretary", password=PASSWORD, role=Role.COMMITTEE),
        )
    )
    for code, kind, centre in (
        ("MSA", OrgKind.MINISTRY_DEPARTMENT, None),
        ("HOSP-A", OrgKind.HOSPITAL, "CENTRE-A"),
        ("HOSP-B", OrgKind.HOSPITAL, "CENTRE-B"),
    ):
        service.create_organisation(
            session=db,
            principal=secretary,
            data=OrganisationIn(code=code, name=f"Tổ chức {code}", kind=kind, centre_code=centre),
        )
    plan = service.create_plan(
        session=db,
        principal=secretary,
        data=PlanIn(
            code="NAP",
            title="Kế hoạch hành động quốc gia về quản lý bệnh hiếm",
            decision_number="2885/QĐ-BYT",
            decision_date=date(2025, 9, 12),
            issuing_body="Bộ Y tế",
            period_start=date(2025, 9, 12),
            period_end=date(2026, 12, 31),
        ),
    )
    objective = service.add_objective(
        session=db, principal=secretary, plan_id=plan.id, title="Quản lý bệnh hiếm"
    )
    task = service.add_task(
        session=db, principal=secretary, objective_id=objective.id, code="2", title="Danh mục"
    )

    def activity(code: str, lead: str, **kw: object) -> Activity:
        return service.create_activity(
            session=db,
            principal=secretary,
            data=ActivityIn.model_validate(
                {
                    "task_id": task.id,
                    "code": code,
                    "title": f"Hoạt động {code}",
                    "lead_code": lead,
                    "start_date": date(2025, 10, 1),
                    "deadline": date(2026, 6, 30),
                    **kw,
                }
            ),
        )

    return PlanWorld(
        cast=cast,
        committee=secretary,
        plan=plan,
        led_by_a=activity("2.2", "HOSP-A", status="on_track", percent_done=40),
        led_by_b=activity("2.3", "HOSP-B", deadline=date(2026, 3, 31), status="on_track"),
        list_activity=activity("2.1", "MSA", output_kind=OutputKind.DISEASE_LIST.value),
    )


DRUG = "alglucosidase alfa"


def therapy_plan(patient: Patient, centre: int, start: date = date(2025, 11, 1)) -> TherapyPlan:
    """A fortnightly plan of the listed drug from November 2025 (not yet added)."""
    return TherapyPlan(
        patient_id=patient.id,
        centre_id=centre,
        drug=DRUG,
        per_kg=True,
        dose=20,
        dose_unit="mg",
        interval_days=14,
        start_date=start,
        created_by="test",
    )


def infusion(
    plan: TherapyPlan,
    day: date,
    centre: int | None = None,
    *,
    dose: float = 180,
    vials: int = 4,
) -> Administration:
    """An infusion of ``plan`` (flushed: its id is known) on ``day``, at the plan's centre
    unless another is given (not yet added)."""
    return Administration(
        plan_id=plan.id,
        patient_id=plan.patient_id,
        centre_id=plan.centre_id if centre is None else centre,
        given_on=day,
        dose=dose,
        dose_unit="mg",
        vials=vials,
        recorded_by="test",
    )


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@pytest.fixture
def registry(db: Session, cast: Cast, kb: KnowledgeBase) -> dict[str, Patient]:
    """Five records around the first quarter of 2026 (see each test for the arithmetic)."""
    load_lists(db, kb)
    rows = {
        "p1": Patient(  # a toddler diagnosed (genetically) in Q1 2026, on a listed drug
            pseudonym="P1",
            centre_id=cast.centre_a,
            province_code="01",
            sex=Sex.FEMALE,
            birth_month=date(2024, 2, 1),
            first_contact_date=date(2024, 6, 1),
            first_symptoms_date=date(2024, 3, 1),
            diagnosis_date=date(2026, 2, 1),
            diagnosis_kind=AgeKind.DATE,
            diagnostic_status=DiagnosticStatus.CONFIRMED,
            orpha_code="ORPHA:365",
            created_at=_at("2025-06-01"),
            updated_at=_at("2026-02-01"),
        ),
        "p2": Patient(  # a child registered in Q1 2026, still suspected
            pseudonym="P2",
            centre_id=cast.centre_a,
            province_code="01",
            sex=Sex.MALE,
            birth_month=date(2020, 1, 1),
            first_contact_date=date(2024, 12, 1),
            diagnostic_status=DiagnosticStatus.SUSPECTED,
            created_at=_at("2026-02-15"),
            updated_at=_at("2026-02-15"),
        ),
        "p3": Patient(  # an adult who died in 2025, diagnosis dated Q1 2026
            pseudonym="P3",
            centre_id=cast.centre_b,
            province_code="79",
            sex=Sex.FEMALE,
            birth_month=date(1990, 5, 1),
            vital_status=VitalStatus.DEAD,
            death_date=date(2025, 12, 1),
            first_contact_date=date(2025, 3, 10),
            first_symptoms_date=date(2020, 1, 1),
            diagnosis_date=date(2026, 3, 10),
            diagnosis_kind=AgeKind.DATE,
            diagnostic_status=DiagnosticStatus.CONFIRMED,
            orpha_code="ORPHA:365",
            created_at=_at("2025-01-10"),
            updated_at=_at("2025-12-01"),
        ),
        "p4": Patient(  # a child who died at 2
            pseudonym="P4",
            centre_id=cast.centre_b,
            province_code="79",
            sex=Sex.MALE,
            birth_month=date(2023, 1, 1),
            vital_status=VitalStatus.DEAD,
            death_date=date(2025, 8, 1),
            first_contact_date=date(2025, 3, 1),
            diagnosis_date=date(2025, 7, 1),
            diagnosis_kind=AgeKind.DATE,
            diagnostic_status=DiagnosticStatus.CONFIRMED,
            orpha_code="ORPHA:355",
            created_at=_at("2025-02-01"),
            updated_at=_at("2025-08-01"),
        ),
        "p5": Patient(  # registered after the quarter: not counted
            pseudonym="P5",
            centre_id=cast.centre_a,
            province_code="01",
            sex=Sex.FEMALE,
            birth_month=date(2010, 7, 1),
            diagnostic_status=DiagnosticStatus.SUSPECTED,
            created_at=_at("2026-04-10"),
            updated_at=_at("2026-04-10"),
        ),
    }
    db.add_all(rows.values())
    db.flush()
    db.add(
        DiagnosisRecord(
            patient_id=rows["p1"].id,
            orpha_code="ORPHA:365",
            status=DiagnosticStatus.CONFIRMED,
            gene="GAA",
            recorded_by="t",
        )
    )
    plan = therapy_plan(rows["p1"], cast.centre_a, date(2025, 12, 1))
    db.add(plan)
    db.flush()
    # 6 doses in the quarter; 90 days ÷ 14 = 6.4 due → 93% ≥ 80%
    for month, day in ((1, 5), (1, 19), (2, 2), (2, 16), (3, 2), (3, 16)):
        db.add(infusion(plan, date(2026, month, day)))
    db.flush()
    return rows
