"""Finance JSON API: coverage rules, patient coverage and costs, budget impact."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from rarecare.finance import scenarios, service
from rarecare.finance.schemas import (
    BudgetIn,
    PatientCoverageIn,
    PlanCostOut,
    RuleSetIn,
    RuleSetOut,
    ScenarioIn,
    ScenarioOut,
)
from rarecare.web.deps import CurrentUser, DbSession, Knowledge

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
def api_budget_impact(
    data: BudgetIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> dict[str, Any]:
    """Cost to the fund and to families of covering a drug over 1–5 years, with its inputs
    (the prevalence, unless given, from Orphanet's figures for the drug's indications)."""
    impact, derived = service.budget_impact(session=session, principal=user, data=data, kb=kb)
    return impact.as_dict() | {"derived": derived}


# ----------------------------------------------------------------------- budget scenarios
@api.get("/finance/scenarios", response_model=list[ScenarioOut])
def api_scenarios(user: CurrentUser, session: DbSession) -> list[ScenarioOut]:
    """Saved budget-impact scenarios, newest first."""
    found = scenarios.listing(session=session, principal=user)
    return [ScenarioOut.model_validate(s) for s in found]


@api.post("/finance/scenarios", response_model=ScenarioOut, status_code=201)
def api_save_scenario(
    data: ScenarioIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> ScenarioOut:
    """Compute a budget-impact scenario and keep it under a name."""
    saved = scenarios.save(session=session, principal=user, name=data.name, data=data.inputs, kb=kb)
    return ScenarioOut.model_validate(saved)


@api.get("/finance/scenarios/compare")
def api_compare_scenarios(
    user: CurrentUser, session: DbSession, ids: Annotated[list[int], Query()]
) -> list[dict[str, Any]]:
    """Scenarios side by side: inputs, totals and each year's cost to the fund."""
    return scenarios.compare(session=session, principal=user, scenario_ids=ids).rows()


@api.delete("/finance/scenarios/{scenario_id}", status_code=204)
def api_delete_scenario(scenario_id: int, user: CurrentUser, session: DbSession) -> None:
    scenarios.delete(session=session, principal=user, scenario_id=scenario_id)
