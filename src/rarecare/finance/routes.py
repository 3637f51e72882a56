"""Finance JSON API: coverage rules, patient coverage and costs, budget impact."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from rarecare.finance import service
from rarecare.finance.schemas import (
    BudgetIn,
    PatientCoverageIn,
    PlanCostOut,
    RuleSetIn,
    RuleSetOut,
)
from rarecare.web.deps import CurrentUser, DbSession

api = APIRouter(prefix="/api", tags=["finance"])


@api.get("/finance/rules", response_model=list[RuleSetOut])
def api_rules(session: DbSession) -> list[RuleSetOut]:
    """Every version of the coverage rules, newest first (public)."""
    return [RuleSetOut.model_validate(r) for r in service.rule_versions(session=session)]


@api.post("/finance/rules", response_model=RuleSetOut, status_code=201)
def api_publish_rules(data: RuleSetIn, user: CurrentUser, session: DbSession) -> RuleSetOut:
    """A new version of the coverage rules (admins and the ministry)."""
    return RuleSetOut.model_validate(
        service.publish_rules(session=session, principal=user, data=data)
    )


@api.put("/registry/patients/{patient_id}/coverage", status_code=204)
def api_patient_coverage(
    patient_id: int, data: PatientCoverageIn, user: CurrentUser, session: DbSession
) -> None:
    """The patient's beneficiary groups, referral and household income."""
    service.set_patient_coverage(session=session, principal=user, patient_id=patient_id, data=data)


@api.get("/registry/patients/{patient_id}/costs", response_model=list[PlanCostOut])
def api_patient_costs(
    patient_id: int, user: CurrentUser, session: DbSession, year: int | None = None
) -> list[PlanCostOut]:
    """Drug, service and travel cost per plan in a year; insurer, programmes, out of pocket."""
    return service.patient_costs(session=session, principal=user, patient_id=patient_id, year=year)


@api.post("/finance/budget-impact")
def api_budget_impact(data: BudgetIn, user: CurrentUser, session: DbSession) -> dict[str, Any]:
    """Cost to the fund and to families of covering a drug over 1–5 years, with its inputs."""
    impact, derived = service.budget_impact(session=session, principal=user, data=data)
    return impact.as_dict() | {"derived": derived}
