"""Finance pages: the overview, budget impact, and a patient's costs and coverage."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare.care.therapy import current_drugs
from rarecare.errors import RareCareError
from rarecare.finance import scenarios, service
from rarecare.finance.schemas import (
    BudgetIn,
    PatientCoverageIn,
)
from rarecare.i18n import N_, _
from rarecare.registry import service as registry
from rarecare.registry.deps import opened
from rarecare.registry.service import PatientRecord
from rarecare.web.deps import CurrentUser, DbSession, Knowledge
from rarecare.web.forms import attempt, error_lines, invalid_as
from rarecare.web.site import Section
from rarecare.web.templating import is_partial, render

pages = APIRouter(include_in_schema=False)

SECTION = Section(
    key="finance",
    title=N_("Finance"),
    summary=N_("Drug prices, insurance coverage rules, costs per patient and budget impact."),
)


@pages.get("/finance", response_class=HTMLResponse)
def finance_page(request: Request, session: DbSession) -> HTMLResponse:
    version, rules = service.current_rules(session=session)
    return render(
        request,
        "finance.html",
        {
            "module": "finance",
            "info": SECTION,
            "rules": rules,
            "version": version,
            "versions": service.rule_versions(session=session),
        },
    )


def budget_inputs(form: dict[str, str]) -> BudgetIn:
    """The calculator's fields as a scenario's inputs (blank fields take their defaults)."""
    with invalid_as(_("Invalid budget impact.")):
        return BudgetIn.model_validate(
            {k: v for k, v in form.items() if v != "" and k in BudgetIn.model_fields}
        )


@pages.get("/finance/budget-impact", response_class=HTMLResponse)
def budget_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
) -> HTMLResponse:
    """The calculator: every parameter visible and editable; yearly results as a chart."""
    form = dict(request.query_params)
    form.setdefault("start", date(date.today().year + 1, 1, 1).isoformat())
    impact = derived = None
    errors: list[str] = []
    if form.get("drug"):
        try:
            impact, derived = service.budget_impact(
                session=session, principal=user, data=budget_inputs(form), kb=kb
            )
        except RareCareError as exc:
            errors = error_lines(exc)
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
            "scenarios": user.role in scenarios.ANALYSTS,  # who saves and compares them
        },
        status_code=422 if errors else 200,
    )


# ------------------------------------------------------- a patient's costs and coverage
def _costs_view(
    request: Request,
    session: DbSession,
    record: PatientRecord,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The costs panel (loaded into the therapy tab by htmx) or, for a plain request, the
    page around it."""
    year = date.today().year
    context = {
        "p": record.patient,
        "costs": service.costs_of(session=session, record=record, year=year),
        "coverage": service.coverage_of(session=session, patient_id=record.id),
        "groups": service.current_rules(session=session)[1].groups,
        "year": year,
        "can_write": record.actor.role.value in ("clinician", "data_manager"),
        "errors": errors or [],
    }
    partial = is_partial(request)
    template = "_patient_costs.html" if partial else "patient_costs.html"
    return render(request, template, context, status_code=status_code)


@pages.get("/registry/patients/{patient_id}/costs", response_class=HTMLResponse)
def patient_costs(
    request: Request,
    session: DbSession,
    record: Annotated[PatientRecord, opened("read_costs")],
) -> HTMLResponse:
    return _costs_view(request, session, record)


@pages.post("/registry/patients/{patient_id}/therapy/coverage", response_model=None)
def patient_coverage(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    groups: Annotated[list[str] | None, Form()] = None,
    has_referral: Annotated[bool, Form()] = False,
    household_income_vnd: Annotated[str, Form()] = "",
    subsistence_vnd: Annotated[str, Form()] = "",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    """Save the patient's insurance cover; back to the costs with the new figures, or with what
    is wrong (nothing written)."""

    def save() -> None:
        data = PatientCoverageIn.model_validate(
            {
                "groups": groups or [],
                "has_referral": has_referral,
                "household_income_vnd": household_income_vnd or None,
                "subsistence_vnd": subsistence_vnd or None,
                "version": version,
            }
        )
        service.set_patient_coverage(
            session=session, principal=user, patient_id=patient_id, data=data
        )

    error = attempt(save)
    if error is not None:
        session.rollback()
    elif not is_partial(request):
        return RedirectResponse(f"/registry/patients/{patient_id}/therapy#costs", status_code=303)
    record = registry.open_record(
        session=session, principal=user, patient_id=patient_id, action="read_costs"
    )
    if error is None:
        return _costs_view(request, session, record)
    return _costs_view(
        request, session, record, errors=error_lines(error), status_code=error.status_code
    )
