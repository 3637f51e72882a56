"""Budget scenarios in the browser: save the calculator's scenario under a name, list the saved
ones, compare several side by side and download the comparison."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare.errors import RareCareError
from rarecare.finance import scenarios
from rarecare.finance.pages import budget_inputs
from rarecare.web.deps import CurrentUser, DbSession, Knowledge
from rarecare.web.downloads import download
from rarecare.web.forms import FormFields, error_lines
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)


def _listing(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    *,
    compared: scenarios.Comparison | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "scenarios.html",
        {
            "scenarios": scenarios.listing(session=session, principal=user),
            "compared": compared,
            "errors": errors or [],
        },
        status_code=status,
    )


@pages.get("/finance/scenarios", response_class=HTMLResponse)
def scenarios_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    ids: Annotated[list[int] | None, Query()] = None,
) -> HTMLResponse:
    """Saved scenarios; with ``ids``, those compared side by side."""
    if not ids:
        return _listing(request, user, session)
    try:
        compared = scenarios.compare(session=session, principal=user, scenario_ids=ids)
    except RareCareError as exc:
        return _listing(request, user, session, errors=error_lines(exc), status=exc.status_code)
    return _listing(request, user, session, compared=compared)


@pages.post("/finance/scenarios", response_model=None)
def save_scenario(
    request: Request, user: CurrentUser, session: DbSession, kb: Knowledge, form: FormFields
) -> Response:
    """Save the calculator's scenario; back to the list, the new one compared."""
    try:
        scenario = scenarios.save(
            session=session,
            principal=user,
            name=form.get("name", ""),
            data=budget_inputs(form),
            kb=kb,
        )
    except RareCareError as exc:
        session.rollback()
        return _listing(request, user, session, errors=error_lines(exc), status=exc.status_code)
    return RedirectResponse(f"/finance/scenarios?ids={scenario.id}", status_code=303)


@pages.post("/finance/scenarios/{scenario_id}/delete", response_model=None)
def delete_scenario(
    scenario_id: int, request: Request, user: CurrentUser, session: DbSession
) -> Response:
    try:
        scenarios.delete(session=session, principal=user, scenario_id=scenario_id)
    except RareCareError as exc:
        session.rollback()
        return _listing(request, user, session, errors=error_lines(exc), status=exc.status_code)
    return RedirectResponse("/finance/scenarios", status_code=303)


@pages.get("/finance/scenarios/export.{fmt}")
def export_scenarios(
    fmt: str,
    user: CurrentUser,
    session: DbSession,
    ids: Annotated[list[int], Query()],
) -> Response:
    compared = scenarios.compare(session=session, principal=user, scenario_ids=ids)
    data, filename = scenarios.export(compared, fmt)
    return download(data, filename, fmt)
