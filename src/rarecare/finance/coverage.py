"""Coverage rules and the yearly cost of a patient's care (pure code, no database).

A rule set is a versioned document (``CoverageRules``). For one patient-year:

1. The **insurance rate** is the highest rate of the patient's beneficiary groups (a group may be
   given by age, e.g. children under 6, or recorded for the patient, e.g. poor households), else
   the default rate (80%). Treated at a level listed in ``no_referral_factors`` without a
   referral, the rate is multiplied by that level's factor — except that a disease on the
   national rare disease list, treated at a specialised level (``national_list_levels``), gets
   ``national_list_rate`` (100%) with or without referral.
2. The insurance pays that rate of the service fees, and of the drug cost times the drug's own
   reimbursement on the rare drug list (a "partial" drug at 50% pays half of the rate; a drug
   that is not covered pays nothing).
3. **Support programmes** (manufacturer or charity) pay their share of what is left of the drug
   cost, up to a yearly cap.
4. Travel is paid by the family. **Out-of-pocket** = total − insurance − programmes.
5. **Catastrophic** spending: out-of-pocket above ``catastrophic_share`` (10%) of household
   income; or, with the WHO capacity-to-pay rule, at least 40% of income net of subsistence
   (food) spending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from rarecare.i18n import N_, format_quantity, gettext

Level = Literal["national", "regional", "provincial"]
COVERED_DRUG_STATUSES = ("covered", "partial")
SPECIALISED: tuple[Level, ...] = ("national", "regional")
SERVICE_FEES: dict[Level, float] = {"national": 550_000, "regional": 450_000, "provincial": 350_000}


class BeneficiaryGroup(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")
    label: str
    rate: float = Field(ge=0, le=100)
    max_age_years: float | None = Field(
        default=None, gt=0, description="Members by age: younger than this"
    )


class Programme(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    label: str
    drugs: list[str] = Field(default_factory=list, description="INNs; empty = every drug")
    share: float = Field(ge=0, le=100, description="% of the drug cost left after insurance")
    cap_vnd: float | None = Field(default=None, ge=0, description="Yearly cap per patient")


class CoverageRules(BaseModel):
    default_rate: float = Field(default=80, ge=0, le=100)
    groups: list[BeneficiaryGroup] = Field(default_factory=list)
    national_list_rate: float = Field(default=100, ge=0, le=100)
    national_list_levels: list[Level] = Field(default_factory=lambda: list(SPECIALISED))
    no_referral_factors: dict[Level, float] = Field(default_factory=dict)
    service_fee_vnd: dict[Level, float] = Field(
        default_factory=lambda: dict(SERVICE_FEES),
        description="Infusion service fee per administration, by centre level",
    )
    travel_vnd_per_km: float = Field(default=1_500, ge=0)
    catastrophic_method: Literal["share_of_income", "capacity_to_pay"] = "share_of_income"
    catastrophic_share: float = Field(default=10, gt=0, le=100)
    capacity_to_pay_share: float = Field(default=40, gt=0, le=100)
    programmes: list[Programme] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_codes(self) -> CoverageRules:
        for kind, codes in (
            ("groups", [g.code for g in self.groups]),
            ("programmes", [p.code for p in self.programmes]),
        ):
            if len(codes) != len(set(codes)):
                raise ValueError(f"{kind}: codes must be unique")
        return self


@dataclass(frozen=True)
class PatientFacts:
    age_years: float
    groups: tuple[str, ...] = ()
    on_national_list: bool = False
    has_referral: bool = True
    household_income_vnd: float | None = None
    subsistence_vnd: float | None = None  # food spending, for capacity to pay


@dataclass(frozen=True)
class CareYear:
    drug: str
    drug_reimbursement: str  # covered | partial | pending | not_covered
    drug_coverage_rate: float  # % of the drug list
    level: Level
    drug_cost: float
    administrations: int
    km: float


@dataclass(frozen=True)
class CostBreakdown:
    drug_cost: float
    service_cost: float
    travel_cost: float
    total: float
    insurance_rate: float
    rate_reason: str
    insurer: float
    programmes: dict[str, float]
    out_of_pocket: float
    catastrophic: bool | None  # None when the household income is unknown
    catastrophic_threshold: float | None


def insurance_rate(rules: CoverageRules, facts: PatientFacts, level: Level) -> tuple[float, str]:
    """The share insurance pays and why, in the current language."""
    rate, reason = rules.default_rate, gettext(N_("default rate"))
    for group in rules.groups:
        member = group.code in facts.groups or (
            group.max_age_years is not None and facts.age_years < group.max_age_years
        )
        if member and group.rate > rate:
            rate, reason = group.rate, gettext(group.label)
    specialised = facts.on_national_list and level in rules.national_list_levels
    if specialised and rules.national_list_rate >= rate:
        return rules.national_list_rate, gettext(
            N_("disease on the national list, specialised level")
        )
    if not facts.has_referral and level in rules.no_referral_factors:
        factor = rules.no_referral_factors[level]
        rate = rate * factor
        reason = gettext(N_("%(reason)s, × %(factor)s without referral")) % {
            "reason": reason,
            "factor": format_quantity(factor),
        }
    return rate, reason


def yearly_cost(rules: CoverageRules, facts: PatientFacts, care: CareYear) -> CostBreakdown:
    service = care.administrations * rules.service_fee_vnd.get(care.level, 0.0)
    travel = care.km * rules.travel_vnd_per_km
    total = care.drug_cost + service + travel
    rate, reason = insurance_rate(rules, facts, care.level)
    drug_factor = (
        care.drug_coverage_rate / 100 if care.drug_reimbursement in COVERED_DRUG_STATUSES else 0.0
    )
    insurer_drug = care.drug_cost * rate / 100 * drug_factor
    insurer = insurer_drug + service * rate / 100
    left = care.drug_cost - insurer_drug
    paid: dict[str, float] = {}
    for programme in rules.programmes:
        if programme.drugs and care.drug not in programme.drugs:
            continue
        amount = left * programme.share / 100
        if programme.cap_vnd is not None:
            amount = min(amount, programme.cap_vnd)
        if amount > 0:
            paid[programme.code] = amount
            left -= amount
    oop = total - insurer - sum(paid.values())
    threshold: float | None = None
    if facts.household_income_vnd is not None:
        if rules.catastrophic_method == "capacity_to_pay":
            capacity = facts.household_income_vnd - (facts.subsistence_vnd or 0.0)
            threshold = max(0.0, capacity) * rules.capacity_to_pay_share / 100
        else:
            threshold = facts.household_income_vnd * rules.catastrophic_share / 100
    return CostBreakdown(
        drug_cost=care.drug_cost,
        service_cost=service,
        travel_cost=travel,
        total=total,
        insurance_rate=rate,
        rate_reason=reason,
        insurer=insurer,
        programmes=paid,
        out_of_pocket=oop,
        catastrophic=None if threshold is None else oop > threshold,
        catastrophic_threshold=threshold,
    )


def demo_rules() -> CoverageRules:
    """The rule set of the demo (illustrative, modelled on Vietnam's health insurance law)."""
    return CoverageRules(
        default_rate=80,
        groups=[
            BeneficiaryGroup(
                code="child_under_6", label=N_("Children under 6"), rate=100, max_age_years=6
            ),
            BeneficiaryGroup(code="poor", label=N_("Poor households"), rate=100),
            BeneficiaryGroup(code="near_poor", label=N_("Near-poor households"), rate=95),
            BeneficiaryGroup(code="retired", label=N_("Pensioners"), rate=95),
        ],
        national_list_rate=100,
        no_referral_factors={"national": 0.4},
        programmes=[
            Programme(
                code="pap-ert",
                label=N_("Manufacturer access programme (ERT)"),
                drugs=["alglucosidase alfa", "idursulfase", "agalsidase beta"],
                share=50,
                cap_vnd=600_000_000,
            ),
        ],
    )
