"""Finance JSON API and pages: coverage rules, patient costs, budget impact."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from rarecare.errors import RareCareError, field_errors
from rarecare.finance import service
from rarecare.finance.schemas import (
    BudgetIn,
    PatientCoverageIn,
    PlanCostOut,
    RuleSetIn,
    RuleSetOut,
)
from rarecare.web.deps import CurrentUser, DbSession
from rarecare.web.templating import render

api = APIRouter(prefix="/api", tags=["finance"])
pages = APIRouter(include_in_schema=False)


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


@pages.get("/finance", response_class=HTMLResponse)
def finance_page(request: Request, session: DbSession) -> HTMLResponse:
    from rarecare.web.pages import MODULES

    version, rules = service.current_rules(session=session)
    return render(
        request,
        "finance.html",
        {
            "module": "finance",
            "info": MODULES["finance"],
            "rules": rules,
            "version": version,
            "versions": service.rule_versions(session=session),
        },
    )


@pages.get("/finance/budget-impact", response_class=HTMLResponse)
def budget_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
) -> HTMLResponse:
    """The calculator: every parameter visible and editable; yearly results as a chart."""
    from rarecare.care.therapy import current_drugs

    form = dict(request.query_params)
    form.setdefault("start", date(date.today().year + 1, 1, 1).isoformat())
    impact = derived = None
    errors: list[str] = []
    if form.get("drug"):
        try:
            data = BudgetIn.model_validate(
                {k: v for k, v in form.items() if v != "" and k in BudgetIn.model_fields}
            )
            impact, derived = service.budget_impact(session=session, principal=user, data=data)
        except ValidationError as exc:
            errors = [str(e) for e in field_errors(exc.errors())]
        except RareCareError as exc:
            errors = [exc.message, *map(str, exc.details)]
    defaults = BudgetIn.model_fields
    peak = max((y.total_cost for y in impact.years), default=0.0) if impact else 0.0
    return render(
        request,
        "budget.html",
        {
            "drugs": sorted(current_drugs(session=session)),
            "form": form,
            "defaults": {k: f.default for k, f in defaults.items()},
            "impact": impact,
            "derived": derived,
            "errors": errors,
            "peak": peak or 1.0,
            "today": date.today(),
        },
        status_code=422 if errors else 200,
    )
