"""What families pay, as indicators (SQLite and PostgreSQL): the set-based SQL gives, patient by
patient, what the finance module's cost model gives for the same year, and the hand-computed
figures of a small fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM
from rarecare.finance import service as finance
from rarecare.finance.coverage import BeneficiaryGroup, CoverageRules, Programme
from rarecare.finance.models import CoverageRuleSet, PatientCoverage
from rarecare.lists.models import DrugEntry, ListKind, ListVersion, VersionStatus
from rarecare.monitoring import engine, sqlparts
from rarecare.registry.models import Patient
from tests.conftest import Cast
from tests.monitoring.conftest import DRUG, infusion, therapy_plan

RULES = CoverageRules(
    default_rate=80,
    groups=[
        BeneficiaryGroup(code="child_under_6", label="Children", rate=100, max_age_years=6),
        BeneficiaryGroup(code="near_poor", label="Near-poor", rate=95),
    ],
    national_list_rate=90,
    no_referral_factors={"regional": 0.5},
    programmes=[Programme(code="pap", label="PAP", drugs=[DRUG], share=50, cap_vnd=30_000_000)],
)


@pytest.fixture
def treated(db: Session, registry: dict[str, Patient], cast: Cast) -> dict[str, Patient]:
    """p1 (a toddler, 6 infusions of 4 vials at centre A in her province) and p2 (6½ years
    old, near-poor, no referral, 2 infusions of 3 vials at centre B, far from home; household
    income 100 million VND) under :data:`RULES`."""
    db.add(
        CoverageRuleSet(
            version=1,
            effective_from=date(2026, 1, 1),
            rules=RULES.model_dump(mode="json"),
            created_by="t",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    p2 = registry["p2"]
    plan = therapy_plan(p2, cast.centre_b, date(2026, 2, 1))
    db.add(plan)
    db.flush()
    for day in (date(2026, 2, 20), date(2026, 3, 6)):
        db.add(infusion(plan, day, dose=120, vials=3))
    db.add(
        PatientCoverage(
            patient_id=p2.id,
            groups=["near_poor"],
            has_referral=False,
            household_income_vnd=100_000_000,
            updated_by="t",
        )
    )
    db.flush()
    return registry


def _values(db: Session, period: str) -> dict[tuple[str, str, str], sqlparts.Value]:
    return {(v.indicator, v.breakdown, v.key): v for v in engine.compute(db, period)}


def _python_model(db: Session, patient: Patient) -> float:
    """The patient's out-of-pocket for 2026 by the finance module (doses given only)."""
    plans = finance.patient_costs(
        session=db, principal=SYSTEM, patient_id=patient.id, year=2026, today=date(2027, 1, 1)
    )
    return sum(plan.out_of_pocket for plan in plans)


def _drug(db: Session) -> DrugEntry:
    entry = db.scalar(
        select(DrugEntry)
        .join(ListVersion)
        .where(
            ListVersion.kind == ListKind.DRUGS,
            ListVersion.status == VersionStatus.APPROVED,
            DrugEntry.inn == DRUG,
        )
    )
    assert entry is not None and entry.price_vnd
    return entry


def test_out_of_pocket_is_the_cost_model_of_each_patient(
    db: Session, treated: dict[str, Patient]
) -> None:
    v = _values(db, "2026")
    p1, p2 = _python_model(db, treated["p1"]), _python_model(db, treated["p2"])
    national = v["out_of_pocket", "", ""]
    assert national.numerator == 2  # patients with infusions in the year
    assert national.value == pytest.approx((p1 + p2) / 2, abs=1)
    assert v["out_of_pocket", "province", "01"].value == pytest.approx((p1 + p2) / 2, abs=1)
    # both are registered at centre A (p2 is treated at centre B)
    assert v["out_of_pocket", "centre", str(treated["p1"].centre_id)].numerator == 2
    assert v["out_of_pocket", "disease", "ORPHA:365"].value == pytest.approx(p1, abs=1)
    assert v["out_of_pocket", "disease", ""].value == pytest.approx(p2, abs=1)


def test_out_of_pocket_and_catastrophic_spending_by_hand(
    db: Session, treated: dict[str, Patient]
) -> None:
    entry = _drug(db)
    price, covered = entry.price_vnd or 0.0, entry.coverage_rate / 100
    if entry.reimbursement not in ("covered", "partial"):
        covered = 0.0
    # p1: a child under 6 → 100%, above the national list's 90%; national level, own province
    drug = 6 * 4 * price
    insurer_drug = drug * 1.0 * covered
    programme = min((drug - insurer_drug) * 0.5, 30_000_000)
    travel = 6 * 2 * 25 * 1_500
    p1 = drug - insurer_drug - programme + travel  # the service fee is paid in full
    # p2: near-poor 95%, × 0.5 without referral at a regional centre; Hà Nội → Hồ Chí Minh
    from rarecare.care.travel import road_km
    from rarecare.geo import get_province

    hanoi, hcmc = get_province("01"), get_province("79")
    assert hanoi is not None and hcmc is not None
    km = road_km(hanoi.lat, hanoi.lon, hcmc.lat, hcmc.lon)
    drug2, service2, rate2 = 2 * 3 * price, 2 * 450_000, 47.5
    insurer2 = drug2 * rate2 / 100 * covered + service2 * rate2 / 100
    left2 = drug2 - drug2 * rate2 / 100 * covered
    p2 = drug2 + service2 + 2 * 2 * km * 1_500 - insurer2 - min(left2 * 0.5, 30_000_000)
    v = _values(db, "2026")
    assert v["out_of_pocket", "", ""].value == pytest.approx((p1 + p2) / 2, abs=1)
    by_disease = v["out_of_pocket", "disease", "ORPHA:365"]
    assert by_disease.numerator == 1
    assert by_disease.value == pytest.approx(p1, abs=1)
    # only p2's household income is known: 10% of 100 million is the threshold
    catastrophic = v["catastrophic_spending", "", ""]
    assert (catastrophic.numerator, catastrophic.denominator) == (int(p2 > 10_000_000), 1)
    assert p2 > 10_000_000 and catastrophic.value == 100


def test_a_quarter_prorates_the_threshold_and_counts_its_own_infusions(
    db: Session, treated: dict[str, Patient]
) -> None:
    p2 = treated["p2"]
    coverage = db.scalar(select(PatientCoverage).where(PatientCoverage.patient_id == p2.id))
    assert coverage is not None
    v = _values(db, "2026")
    yearly = v["out_of_pocket", "disease", ""].value
    assert yearly is not None
    # an income whose yearly 10% is above p2's payment, but whose quarter's share is below
    coverage.household_income_vnd = yearly * 10 * 1.5
    db.flush()
    assert v["catastrophic_spending", "", ""].value == 100  # before the change
    year = _values(db, "2026")["catastrophic_spending", "", ""]
    quarter = _values(db, "2026Q1")["catastrophic_spending", "", ""]
    assert (year.numerator, quarter.numerator) == (0, 1)
    assert ("out_of_pocket", "", "") not in _values(db, "2026Q3")  # no infusion then
