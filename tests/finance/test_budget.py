from datetime import date

import pytest

from rarecare.finance.budget import BudgetInputs, project


def test_budget_impact_on_a_hand_computed_example() -> None:
    inputs = BudgetInputs(
        drug="alglucosidase alfa",
        coverage=100,
        current_coverage=0,
        start=date(2027, 1, 1),
        years=2,
        cost_per_patient_year=1_000,
        registered_patients=10,
        prevalence_per_100k=1,
        population=3_000_000,  # 30 expected cases, 20 not yet registered
        diagnosis_rate=0.5,
        uptake=1.0,
        discontinuation=0.1,
    )
    impact = project(inputs)
    assert (impact.expected_prevalent, impact.undiagnosed_pool) == pytest.approx((30, 20))
    y1, y2 = impact.years
    # year 1: 10 treated + 10 new for half a year = 15 patient-years
    assert (y1.treated_start, y1.new_patients, y1.patient_years) == pytest.approx((10, 10, 15))
    assert (y1.total_cost, y1.fund, y1.families) == pytest.approx((15_000, 15_000, 0))
    # year 2: (10 + 10) × 0.9 = 18 treated, 5 new (half of the 10 left) → 20.5 patient-years
    assert (y2.treated_start, y2.new_patients, y2.patient_years) == pytest.approx((18, 5, 20.5))
    assert y2.starts == date(2028, 1, 1)
    assert impact.total_incremental == pytest.approx(35_500)


def test_a_partial_coverage_splits_cost_between_fund_and_families() -> None:
    inputs = BudgetInputs("d", 70, date(2027, 1, 1), 1, 100, 2, current_coverage=50)
    [year] = project(inputs).years
    assert (year.fund, year.families, year.incremental_fund) == pytest.approx((140, 60, 40))


def test_inputs_out_of_range_are_named() -> None:
    bad = BudgetInputs("d", 120, date(2027, 1, 1), 7, 100, 2, uptake=2)
    assert {name for name, _ in bad.validate()} == {"coverage", "years", "uptake"}
