"""API shapes of the finance package."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rarecare.finance.coverage import CoverageRules


class RuleSetIn(BaseModel):
    effective_from: date
    rules: CoverageRules
    note: str = Field(default="", max_length=2000)
    based_on: int | None = Field(
        default=None,
        description="The version the new rules were edited from (another version published "
        "since: 409)",
    )


class RuleSetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    effective_from: date
    rules: CoverageRules
    note: str
    created_by: str


class PatientCoverageIn(BaseModel):
    groups: list[str] = Field(default_factory=list, description="Beneficiary group codes")
    has_referral: bool = True
    household_income_vnd: float | None = Field(default=None, ge=0, description="Yearly")
    subsistence_vnd: float | None = Field(
        default=None, ge=0, description="Yearly food spending (WHO capacity to pay)"
    )
    version: int | None = Field(
        default=None, description="The version it was read at (changed since: 409)"
    )


class PlanCostOut(BaseModel):
    plan_id: int
    drug: str
    year: int
    rules_version: int
    price_vnd: float | None = Field(description="List price per vial in force that year")
    administrations: int
    vials: int
    km: float
    drug_cost: float
    service_cost: float
    travel_cost: float
    total: float
    insurance_rate: float
    rate_reason: str
    insurer: float
    programmes: dict[str, float]
    out_of_pocket: float
    catastrophic: bool | None
    catastrophic_threshold: float | None


class BudgetIn(BaseModel):
    drug: str = Field(min_length=2)
    coverage: float = Field(ge=0, le=100, description="% paid by the insurance fund")
    start: date
    years: int = Field(default=5, ge=1, le=5)
    current_coverage: float | None = Field(
        default=None, ge=0, le=100, description="Defaults to the drug list's rate"
    )
    prevalence_per_100k: float | None = Field(
        default=None,
        ge=0,
        description="Defaults to Orphanet's prevalence of the drug's indications (their sum)",
    )
    population: float = Field(default=101_300_000, ge=0)
    diagnosis_rate: float = Field(default=0.05, ge=0, le=1)
    uptake: float = Field(default=1.0, ge=0, le=1)
    discontinuation: float = Field(default=0.05, ge=0, le=1)
    weight_kg: float | None = Field(
        default=None, gt=0, description="Mean weight; defaults to the registered patients'"
    )


class ScenarioIn(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    inputs: BudgetIn


class ScenarioOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    drug: str
    inputs: dict[str, Any]
    result: dict[str, Any] = Field(description="The projection and its derived inputs, as saved")
    created_by: str
    created_at: datetime
