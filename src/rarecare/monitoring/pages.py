"""Monitoring pages: the plan overview (progress per key task, a timeline against today, the
overdue and at-risk lists, the quarterly report button), activity pages with their history
and evidence, meetings, events and the organisations directory."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from rarecare.access import CENTRE_ROLES, Principal, Role
from rarecare.centres import service as centres
from rarecare.errors import RareCareError
from rarecare.i18n import N_, current_locale
from rarecare.jobs.deps import Runner
from rarecare.monitoring import committee, events, jobs, service, workbook
from rarecare.monitoring.models import (
    ActivityStatus,
    Audience,
    EventKind,
    MemberRole,
    OrgKind,
    Plan,
)
from rarecare.monitoring.schemas import (
    ActivityChangeIn,
    EventIn,
    MeetingIn,
)
from rarecare.outputs import OutputKind
from rarecare.web.deps import AppSettings, CurrentUser, DbSession
from rarecare.web.forms import attempt, error_lines
from rarecare.web.site import Section
from rarecare.web.templating import render
from rarecare.web.uploads import read_upload

pages = APIRouter(include_in_schema=False)

SECTION = Section(
    key="monitoring",
    closed_to=frozenset({Role.RESEARCHER}),
    title=N_("Monitoring"),
    summary=N_(
        "The steering committee's workspace: the national action plan, its activities and "
        "deadlines, meetings and decisions, events, and the quarterly report."
    ),
)


def _quarters(today: date) -> list[str]:
    """The current quarter and the seven before it, newest first."""
    year, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _step in range(8):
        out.append(f"{year}Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out


def _timeline(plan: Plan, seen: set[int], today: date) -> dict[str, object]:
    """Bars of each activity between the plan's start and end, in percent of the width."""
    start, end = plan.period_start, plan.period_end
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return round(100 * min(max((day - start).days, 0), span) / span, 2)

    bars = [
        {
            "activity": a,
            "left": x(a.start_date or start),
            "width": max(x(a.deadline) - x(a.start_date or start), 0.8),
            "state": service.state_of(a, today),
        }
        for task in service.tasks_of(plan)
        for a in task.activities
        if a.id in seen
    ]
    return {"bars": bars, "today": x(today), "start": start, "end": end}


@pages.get("/monitoring", response_class=HTMLResponse)
def monitoring_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    return _overview(request, session, user)


def _overview(
    request: Request,
    session: Session,
    user: Principal,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    today = date.today()
    orgs = service.organisations(session=session)
    common = {"can_edit": _edits(user), "errors": errors or [], "orgs": orgs}
    try:
        plan = service.get_plan(session=session, principal=user)
    except RareCareError:
        return render(request, "monitoring.html", {"plan": None, **common}, status_code)
    visible = service.activities(session=session, principal=user, plan_id=plan.id)
    seen = {a.id for a in visible}
    decisions = (
        [d for m in committee.meetings(session=session, principal=user) for d in m.decisions]
        if user.role not in CENTRE_ROLES
        else []
    )
    return render(
        request,
        "monitoring.html",
        {
            **common,
            "plan": plan,
            "status": service.status(session=session, principal=user, plan_id=plan.id),
            "timeline": _timeline(plan, seen, today),
            "overdue": [a for a in visible if service.state_of(a, today) == "overdue"],
            "at_risk": [
                a for a in visible if a.status in (ActivityStatus.AT_RISK, ActivityStatus.DELAYED)
            ],
            "quarters": _quarters(today),
            "can_report": user.role not in CENTRE_ROLES,
            "tasks": service.tasks_of(plan),
            "decisions": decisions,
            "output_kinds": list(OutputKind),
        },
        status_code,
    )


def _edits(user: Principal) -> bool:
    return user.role in service.EDITORS


def _activity_view(
    request: Request,
    session: Session,
    user: Principal,
    activity_id: int,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    activity = service.get_activity(session=session, principal=user, activity_id=activity_id)
    orgs = {o.id: o for o in service.organisations(session=session)}
    return render(
        request,
        "activity.html",
        {
            "a": activity,
            "state": service.state_of(activity, date.today()),
            "orgs": orgs,
            "history": service.history(session=session, principal=user, activity_id=activity_id),
            "statuses": list(ActivityStatus),
            "can_edit": _edits(user),
            "can_update": _edits(user) or user.role in CENTRE_ROLES,
            "errors": errors or [],
        },
        status_code=status_code,
    )


@pages.get("/monitoring/activities/{activity_id}", response_class=HTMLResponse)
def activity_page(
    request: Request, activity_id: int, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    return _activity_view(request, session, user, activity_id)


@pages.post("/monitoring/activities/{activity_id}", response_model=None)
def activity_update(
    request: Request,
    activity_id: int,
    user: CurrentUser,
    session: DbSession,
    status: Annotated[str, Form()] = "",
    percent_done: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    """Save the status, % done, comment (and, for the committee, the deadline)."""
    current = service.get_activity(session=session, principal=user, activity_id=activity_id)
    values: dict[str, object] = {"version": version}
    if status and status != current.status.value:
        values["status"] = status
    if percent_done.strip() and percent_done.strip() != str(current.percent_done):
        values["percent_done"] = percent_done.strip()
    if comment.strip():
        values["comment"] = comment
    if deadline and deadline != current.deadline.isoformat():
        values["deadline"] = deadline

    def save() -> None:
        service.update_activity(
            session=session,
            principal=user,
            activity_id=activity_id,
            data=ActivityChangeIn.model_validate(values),
        )

    return back(request, user, session, attempt(save), f"/monitoring/activities/{activity_id}")


@pages.post("/monitoring/activities/{activity_id}/evidence", response_model=None)
def activity_evidence(
    request: Request,
    activity_id: int,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    label: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    def save() -> None:
        service.add_evidence(
            session=session,
            principal=user,
            activity_id=activity_id,
            label=label,
            url=url,
            filename=file.filename or "" if file is not None else "",
            content=read_upload(file) if file is not None and file.filename else None,
            storage_dir=settings.uploads_dir / "evidence",
        )

    return back(request, user, session, attempt(save), f"/monitoring/activities/{activity_id}")


@pages.post("/monitoring/report", response_model=None)
def report_submit(
    user: CurrentUser,
    session: DbSession,
    runner: Runner,
    tasks: BackgroundTasks,
    period: Annotated[str, Form()],
    fmt: Annotated[str, Form(alias="format", pattern="^(pdf|xlsx)$")] = "pdf",
    lang: Annotated[str, Form(pattern="^(vi|en)$")] = "",
) -> Response:
    """Write the quarterly report in the background; its job page offers the download."""
    job = jobs.submit_report(
        session=session, principal=user, period=period, fmt=fmt, lang=lang or current_locale.get()
    )
    tasks.add_task(runner.start, job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@pages.post("/monitoring/plan/import", response_model=None)
def plan_import(
    request: Request, user: CurrentUser, session: DbSession, file: Annotated[UploadFile, File()]
) -> Response:
    error = attempt(
        lambda: workbook.import_plan(
            session=session,
            principal=user,
            content=read_upload(file),
            filename=file.filename or "plan.xlsx",
        )
    )
    return back(request, user, session, error, "/monitoring")


@pages.get("/monitoring/meetings", response_class=HTMLResponse)
def meetings_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    return _meetings_view(request, session, user)


def _meetings_view(
    request: Request,
    session: Session,
    user: Principal,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    held = committee.meetings(session=session, principal=user)
    decision_ids = [d.id for m in held for d in m.decisions]
    follow = committee.follow_up(session=session, decision_ids=decision_ids)
    linked = [a.id for found in follow.values() for a in found]
    return render(
        request,
        "meetings.html",
        {
            "meetings": held,
            "members": committee.members(session=session, principal=user),
            "orgs": {o.id: o for o in service.organisations(session=session)},
            "follow": follow,
            "openable": service.openable(session=session, principal=user, ids=linked),
            "roles": list(MemberRole),
            "today": date.today(),
            "state_of": service.state_of,
            "can_edit": _edits(user),
            "errors": errors or [],
        },
        status_code=status_code,
    )


@pages.post("/monitoring/meetings", response_model=None)
def meetings_submit(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    held_on: Annotated[str, Form()],
    title: Annotated[str, Form()],
    agenda: Annotated[str, Form()] = "",
    decisions: Annotated[str, Form()] = "",
    attendance: Annotated[list[int] | None, Form()] = None,
) -> Response:
    def save() -> None:
        committee.add_meeting(
            session=session,
            principal=user,
            data=MeetingIn.model_validate(
                {
                    "held_on": held_on,
                    "title": title,
                    "agenda": agenda,
                    "attendance": attendance or [],
                    "decisions": [line for line in decisions.splitlines() if line.strip()],
                }
            ),
        )

    error = attempt(save)
    if error is not None:
        session.rollback()
        return _meetings_view(request, session, user, error_lines(error), error.status_code)
    return RedirectResponse("/monitoring/meetings", status_code=303)


@pages.get("/monitoring/events", response_class=HTMLResponse)
def events_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    return _events_view(request, session, user)


def _events_view(
    request: Request,
    session: Session,
    user: Principal,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    held = events.events(session=session, principal=user)
    linked = [e.activity_id for e in held if e.activity_id]
    return render(
        request,
        "events.html",
        {
            "events": held,
            "openable": service.openable(session=session, principal=user, ids=linked),
            "orgs": service.organisations(session=session),
            "kinds": list(EventKind),
            "audiences": list(Audience),
            "can_edit": _edits(user),
            "errors": errors or [],
        },
        status_code=status_code,
    )


@pages.post("/monitoring/events", response_model=None)
def events_submit(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kind: Annotated[str, Form()],
    title: Annotated[str, Form()],
    organiser_code: Annotated[str, Form()],
    audience: Annotated[str, Form()],
    held_on: Annotated[str, Form()],
    participants: Annotated[str, Form()] = "0",
    province_code: Annotated[str, Form()] = "",
    materials: Annotated[str, Form()] = "",
) -> Response:
    def save() -> None:
        events.add_event(
            session=session,
            principal=user,
            data=EventIn.model_validate(
                {
                    "kind": kind,
                    "title": title,
                    "organiser_code": organiser_code,
                    "audience": audience,
                    "held_on": held_on,
                    "participants": participants or 0,
                    "province_code": province_code or None,
                    "materials": materials,
                }
            ),
        )

    error = attempt(save)
    if error is not None:
        session.rollback()
        return _events_view(request, session, user, error_lines(error), error.status_code)
    return RedirectResponse("/monitoring/events", status_code=303)


@pages.get("/monitoring/organisations", response_class=HTMLResponse)
def organisations_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    return _organisations_view(request, session, user)


def back(
    request: Request, user: Principal, session: Session, error: RareCareError | None, to: str
) -> Response:
    """Where a committee form returns: the page it came from, with what was wrong (nothing
    written) or, on success, freshly loaded."""
    if error is None:
        return RedirectResponse(to, status_code=303)
    session.rollback()
    lines, code = error_lines(error), error.status_code
    if to.startswith("/monitoring/activities/"):
        activity_id = int(to.rsplit("/", 1)[1])
        return _activity_view(request, session, user, activity_id, lines, code)
    if to.startswith("/monitoring/meetings"):
        return _meetings_view(request, session, user, lines, code)
    if to.startswith("/monitoring/organisations"):
        return _organisations_view(request, session, user, lines, code)
    return _overview(request, session, user, lines, code)


def _organisations_view(
    request: Request,
    session: Session,
    user: Principal,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "organisations.html",
        {
            "orgs": service.organisations(session=session),
            "kinds": list(OrgKind),
            "centres": centres.list_centres(session=session),
            "can_edit": _edits(user),
            "errors": errors or [],
        },
        status_code=status_code,
    )
