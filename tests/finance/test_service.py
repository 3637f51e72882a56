"""Coverage rule versions, patient costs and budget impact on a real database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.care import therapy
from rarecare.care.schemas import PlanIn
from rarecare.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rarecare.finance import service
from rarecare.finance.coverage import demo_rules
from rarecare.finance.schemas import BudgetIn, PatientCoverageIn, RuleSetIn
from tests.care.conftest import POMPE_DRUG, TODAY, CareWorld


def test_rule_versions_take_effect_on_their_date(db: Session, world: CareWorld) -> None:
    assert service.current_rules(session=db)[0] == 0
    rules = demo_rules()
    service.publish_rules(
        session=db,
        principal=world.cast.analyst,
        data=RuleSetIn(effective_from=date(2025, 1, 1), rules=rules),
    )
    richer = rules.model_copy(update={"default_rate": 90})
    service.publish_rules(
        session=db,
        principal=world.cast.admin,
        data=RuleSetIn(effective_from=date(2027, 1, 1), rules=richer),
    )
    assert service.current_rules(session=db, on=date(2026, 6, 1))[1].default_rate == 80
    assert service.current_rules(session=db, on=date(2027, 6, 1)) == (2, richer)
    with pytest.raises(PermissionDenied):
        service.publish_rules(
            session=db,
            principal=world.cast.clinician_a,
            data=RuleSetIn(effective_from=date(2027, 1, 1), rules=rules),
        )


def test_a_listed_disease_at_a_national_centre_leaves_only_travel_to_the_family(
    db: Session, world: CareWorld
) -> None:
    service.publish_rules(
        session=db,
        principal=world.cast.admin,
        data=RuleSetIn(effective_from=date(2025, 1, 1), rules=demo_rules()),
    )
    therapy.create_plan(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        data=PlanIn(drug=POMPE_DRUG, start_date=date(2027, 1, 4)),
        today=TODAY,
    )
    service.set_patient_coverage(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        data=PatientCoverageIn(household_income_vnd=120_000_000),
    )
    [cost] = service.patient_costs(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        year=2027,
        today=TODAY,
    )
    # 26 infusions from Monday 4 January 2027, 6 vials each at 15.6 M VND
    assert (cost.administrations, cost.vials) == (26, 156)
    assert cost.drug_cost == 156 * 15_600_000
    assert cost.insurance_rate == 100  # Pompe is on the national list, and a child under 6
    # born March 2021 (5 in mid-2026, under 6) in province 01, treated at centre A in province 01: 25 km each way
    assert cost.km == 26 * 2 * 25
    assert cost.out_of_pocket == pytest.approx(cost.travel_cost) == 26 * 2 * 25 * 1_500
    assert cost.catastrophic is False
    with pytest.raises(NotFound):
        service.patient_costs(
            session=db, principal=world.cast.clinician_b, patient_id=world.pompe.id
        )


def test_it_rejects_an_unknown_beneficiary_group(db: Session, world: CareWorld) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.set_patient_coverage(
            session=db,
            principal=world.cast.clinician_a,
            patient_id=world.pompe.id,
            data=PatientCoverageIn(groups=["veterans"]),
        )
    assert "veterans is not a beneficiary group" in str(caught.value)


def test_budget_impact_counts_registered_eligible_patients(db: Session, world: CareWorld) -> None:
    impact, derived = service.budget_impact(
        session=db,
        principal=world.cast.analyst,
        data=BudgetIn(
            drug=POMPE_DRUG,
            coverage=100,
            start=date(2027, 1, 1),
            years=1,
            prevalence_per_100k=0,
            current_coverage=50,
        ),
    )
    assert impact.inputs.registered_patients == 1
    assert derived["mean_weight_kg"] == 15
    fee = 550_000  # built-in national-level service fee
    assert impact.inputs.cost_per_patient_year == 156 * 15_600_000 + 26 * fee
    [year] = impact.years
    assert year.incremental_fund == pytest.approx(impact.inputs.cost_per_patient_year / 2)
    with pytest.raises(PermissionDenied):
        service.budget_impact(
            session=db,
            principal=world.cast.clinician_a,
            data=BudgetIn(drug=POMPE_DRUG, coverage=100, start=date(2027, 1, 1)),
        )


def test_a_price_out_of_its_effective_dates_is_not_used(db: Session, world: CareWorld) -> None:
    therapy.create_plan(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        data=PlanIn(drug=POMPE_DRUG, start_date=date(2027, 1, 4)),
        today=TODAY,
    )
    entry = therapy.current_drugs(session=db)[POMPE_DRUG]
    entry.price_effective_to = date(2026, 12, 31)
    db.flush()
    [cost] = service.patient_costs(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        year=2027,
        today=TODAY,
    )
    assert (cost.price_vnd, cost.drug_cost) == (None, 0)
    [before] = service.patient_costs(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        year=2026,
        today=TODAY,
    )
    assert before.price_vnd == 15_600_000


def test_the_cost_view_checks_access_and_audits_the_record_once(
    db: Session, world: CareWorld
) -> None:
    therapy.create_plan(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        data=PlanIn(drug=POMPE_DRUG, start_date=TODAY),
        today=TODAY,
    )
    before = db.scalar(select(func.max(AuditEvent.id))) or 0
    service.patient_costs(session=db, principal=world.cast.clinician_a, patient_id=world.pompe.id)
    events = db.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(e.action, e.object_id) for e in events] == [("read_costs", world.pompe.pseudonym)]


def test_a_stale_coverage_save_is_refused_with_what_changed(db: Session, world: CareWorld) -> None:
    def save(**values: object) -> int:
        row = service.set_patient_coverage(
            session=db,
            principal=world.cast.clinician_a,
            patient_id=world.pompe.id,
            data=PatientCoverageIn.model_validate(values),
        )
        db.flush()
        return row.version

    first = save(household_income_vnd=120_000_000)
    save(household_income_vnd=90_000_000, version=first)  # a colleague's correction
    with pytest.raises(Conflict) as caught:
        save(household_income_vnd=120_000_000, has_referral=False, version=first)
    assert {d.field for d in caught.value.details} == {"household_income_vnd", "has_referral"}
    saved = service.coverage_of(session=db, patient_id=world.pompe.id)
    assert saved is not None and saved.household_income_vnd == 90_000_000


def test_rules_edited_from_an_older_version_are_refused(db: Session, world: CareWorld) -> None:
    rules = demo_rules()
    for based_on in (None, 1):
        service.publish_rules(
            session=db,
            principal=world.cast.analyst,
            data=RuleSetIn(effective_from=date(2025, 1, 1), rules=rules, based_on=based_on),
        )
    with pytest.raises(Conflict) as caught:
        service.publish_rules(
            session=db,
            principal=world.cast.admin,
            data=RuleSetIn(effective_from=date(2027, 1, 1), rules=rules, based_on=1),
        )
    assert "now 2" in str(caught.value.details[0])
