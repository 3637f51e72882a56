"""Coverage rules on hand-computed cases (drug cost 1,000,000,000 VND; 26 infusions)."""

import pytest

from rarecare.finance.coverage import (
    BeneficiaryGroup,
    CareYear,
    CoverageRules,
    PatientFacts,
    Programme,
    yearly_cost,
)

RULES = CoverageRules(
    default_rate=80,
    groups=[
        BeneficiaryGroup(code="child_under_6", label="Children under 6", rate=100, max_age_years=6),
        BeneficiaryGroup(code="near_poor", label="Near-poor", rate=95),
    ],
    no_referral_factors={"national": 0.4},
    service_fee_vnd={"national": 500_000, "regional": 400_000, "provincial": 300_000},
    travel_vnd_per_km=1_000,
    programmes=[Programme(code="pap", label="PAP", drugs=["ert"], share=50, cap_vnd=50_000_000)],
)
CARE = CareYear("ert", "covered", 100, "national", 1_000_000_000, 26, 10_000)


def test_a_child_under_6_is_covered_in_full_and_the_family_pays_travel() -> None:
    cost = yearly_cost(RULES, PatientFacts(age_years=4), CARE)
    assert (cost.service_cost, cost.travel_cost) == (13_000_000, 10_000_000)
    assert cost.insurance_rate == 100
    assert cost.insurer == 1_013_000_000
    assert cost.programmes == {}
    assert cost.out_of_pocket == 10_000_000


def test_the_default_rate_leaves_a_share_that_a_capped_programme_helps_pay() -> None:
    cost = yearly_cost(RULES, PatientFacts(age_years=30, household_income_vnd=200_000_000), CARE)
    # insurer: 80% of 1,000 M + 80% of 13 M = 810.4 M; left of the drug: 200 M; PAP 50% capped 50 M
    assert cost.insurer == pytest.approx(810_400_000)
    assert cost.programmes == {"pap": 50_000_000}
    assert cost.out_of_pocket == pytest.approx(1_023_000_000 - 810_400_000 - 50_000_000)
    assert cost.catastrophic is True and cost.catastrophic_threshold == 20_000_000


def test_without_referral_the_rate_is_reduced_unless_the_disease_is_on_the_national_list() -> None:
    adult = PatientFacts(age_years=30, has_referral=False)
    assert yearly_cost(RULES, adult, CARE).insurance_rate == pytest.approx(32)
    listed = PatientFacts(age_years=30, has_referral=False, on_national_list=True)
    cost = yearly_cost(RULES, listed, CARE)
    assert cost.insurance_rate == 100 and "national list" in cost.rate_reason


def test_a_partially_reimbursed_drug_pays_its_share_of_the_rate() -> None:
    partial = CareYear("other", "partial", 50, "provincial", 100_000_000, 0, 0)
    cost = yearly_cost(RULES, PatientFacts(age_years=30, groups=("near_poor",)), partial)
    assert cost.insurer == pytest.approx(100_000_000 * 0.95 * 0.5)


def test_the_who_capacity_to_pay_rule_uses_income_net_of_food() -> None:
    rules = RULES.model_copy(update={"catastrophic_method": "capacity_to_pay"})
    facts = PatientFacts(age_years=4, household_income_vnd=100_000_000, subsistence_vnd=60_000_000)
    cost = yearly_cost(rules, facts, CARE)
    assert cost.catastrophic_threshold == pytest.approx(16_000_000)  # 40% of 40 M
    assert cost.catastrophic is False  # 10 M of travel


def test_rules_refuse_duplicate_group_codes() -> None:
    with pytest.raises(ValueError, match="groups: codes must be unique"):
        CoverageRules(groups=[RULES.groups[0], RULES.groups[0]])
