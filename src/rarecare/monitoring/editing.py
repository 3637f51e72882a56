"""The steering committee's forms on the monitoring pages: a plan, key tasks, activities,
committee members, meeting minutes, organisations. Each returns to the page it came from, with
what was wrong (nothing written) or freshly loaded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.monitoring import committee, service
from rarecare.monitoring.pages import back
from rarecare.monitoring.schemas import ActivityIn, MemberIn, OrganisationIn, PlanIn
from rarecare.web.deps import AppSettings, CurrentUser, DbSession
from rarecare.web.forms import attempt
from rarecare.web.uploads import read_upload

pages = APIRouter(include_in_schema=False)


@pages.post("/monitoring/plans", response_model=None)
def plan_create(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    code: Annotated[str, Form()],
    title: Annotated[str, Form()],
    decision_number: Annotated[str, Form()],
    decision_date: Annotated[str, Form()],
    issuing_body: Annotated[str, Form()],
    period_start: Annotated[str, Form()],
    period_end: Annotated[str, Form()],
) -> Response:
    fields = {
        "code": code,
        "title": title,
        "decision_number": decision_number,
        "decision_date": decision_date,
        "issuing_body": issuing_body,
        "period_start": period_start,
        "period_end": period_end,
    }
    error = attempt(
        lambda: service.create_plan(
            session=session, principal=user, data=PlanIn.model_validate(fields)
        )
    )
    return back(request, user, session, error, "/monitoring")


@pages.post("/monitoring/tasks", response_model=None)
def task_create(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    plan_id: Annotated[int, Form()],
    code: Annotated[str, Form(min_length=1, max_length=16)],
    title: Annotated[str, Form(min_length=2, max_length=500)],
    objective_id: Annotated[str, Form()] = "",
    objective: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """A key task under an objective of the plan (a new objective when one is named)."""

    def save() -> None:
        if objective.strip():
            target = service.add_objective(
                session=session, principal=user, plan_id=plan_id, title=objective.strip()
            ).id
        elif objective_id.isdigit():
            target = int(objective_id)
        else:
            raise ValidationFailed(
                _("Invalid key task."), [FieldError("objective", N_("choose or name an objective"))]
            )
        service.add_task(
            session=session, principal=user, objective_id=target, code=code, title=title
        )

    return back(request, user, session, attempt(save), "/monitoring")


@pages.post("/monitoring/activities", response_model=None)
def activity_create(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    task_id: Annotated[int, Form()],
    code: Annotated[str, Form()],
    title: Annotated[str, Form()],
    lead_code: Annotated[str, Form()],
    deadline: Annotated[str, Form()],
    partner_codes: Annotated[list[str] | None, Form()] = None,
    start_date: Annotated[str, Form()] = "",
    expected_output: Annotated[str, Form()] = "",
    output_kind: Annotated[str, Form()] = "",
    decision_id: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "task_id": task_id,
        "code": code,
        "title": title,
        "lead_code": lead_code,
        "partner_codes": partner_codes or [],
        "start_date": start_date or None,
        "deadline": deadline,
        "expected_output": expected_output,
        "output_kind": output_kind or None,
        "decision_id": int(decision_id) if decision_id.isdigit() else None,
    }
    holder: list[int] = []

    def save() -> None:
        created = service.create_activity(
            session=session, principal=user, data=ActivityIn.model_validate(values)
        )
        holder.append(created.id)

    error = attempt(save)
    to = f"/monitoring/activities/{holder[0]}" if holder else "/monitoring"
    return back(request, user, session, error, to)


@pages.post("/monitoring/committee", response_model=None)
def member_create(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    name: Annotated[str, Form()],
    organisation_code: Annotated[str, Form()],
    role: Annotated[str, Form()],
    term_start: Annotated[str, Form()],
    title: Annotated[str, Form()] = "",
    term_end: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "name": name,
        "title": title,
        "organisation_code": organisation_code,
        "role": role,
        "term_start": term_start,
        "term_end": term_end or None,
    }
    error = attempt(
        lambda: committee.add_member(
            session=session, principal=user, data=MemberIn.model_validate(values)
        )
    )
    return back(request, user, session, error, "/monitoring/meetings")


@pages.post("/monitoring/meetings/{meeting_id}/minutes", response_model=None)
def minutes_upload(
    request: Request,
    meeting_id: int,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    file: Annotated[UploadFile, File()],
) -> Response:
    error = attempt(
        lambda: committee.attach_minutes(
            session=session,
            principal=user,
            meeting_id=meeting_id,
            content=read_upload(file),
            filename=file.filename or "minutes.pdf",
            storage_dir=settings.uploads_dir / "minutes",
        )
    )
    return back(request, user, session, error, "/monitoring/meetings")


@pages.post("/monitoring/organisations", response_model=None)
def organisation_create(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    code: Annotated[str, Form()],
    name: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    name_en: Annotated[str, Form()] = "",
    centre_code: Annotated[str, Form()] = "",
    province_code: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    website: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "code": code,
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "centre_code": centre_code or None,
        "province_code": province_code or None,
        "contact": contact,
        "website": website,
    }
    error = attempt(
        lambda: service.create_organisation(
            session=session, principal=user, data=OrganisationIn.model_validate(values)
        )
    )
    return back(request, user, session, error, "/monitoring/organisations")
