"""Monitoring JSON API: organisations, the committee and its meetings, the action plan and its
activities (changes, history, evidence), events, and the quarterly report as a job."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, Response

from rarecare.errors import NotFound
from rarecare.i18n import current_locale
from rarecare.jobs.deps import Runner
from rarecare.jobs.schemas import JobOut
from rarecare.monitoring import committee, events, jobs, service, workbook
from rarecare.monitoring.models import Activity
from rarecare.monitoring.schemas import (
    ActivityChangeIn,
    ActivityIn,
    ActivityOut,
    ChangeOut,
    EventIn,
    EventOut,
    EvidenceOut,
    MeetingIn,
    MeetingOut,
    MemberIn,
    MemberOut,
    OrganisationIn,
    OrganisationOut,
    PlanIn,
    PlanStatusOut,
)
from rarecare.web.deps import AppSettings, CurrentUser, DbSession
from rarecare.web.downloads import download
from rarecare.web.uploads import read_upload

api = APIRouter(prefix="/api/monitoring", tags=["monitoring"])


def activity_out(activity: Activity, today: date | None = None) -> ActivityOut:
    return ActivityOut.model_validate(
        {
            **{c: getattr(activity, c) for c in ActivityOut.model_fields if c != "state"},
            "state": service.state_of(activity, today or date.today()),
        }
    )


@api.get("/organisations", response_model=list[OrganisationOut])
def api_organisations(session: DbSession, user: CurrentUser) -> list[OrganisationOut]:
    """The organisations directory."""
    return [OrganisationOut.model_validate(o) for o in service.organisations(session=session)]


@api.post("/organisations", response_model=OrganisationOut, status_code=201)
def api_create_organisation(
    data: OrganisationIn, user: CurrentUser, session: DbSession
) -> OrganisationOut:
    return OrganisationOut.model_validate(
        service.create_organisation(session=session, principal=user, data=data)
    )


@api.post("/plans", status_code=201)
def api_create_plan(data: PlanIn, user: CurrentUser, session: DbSession) -> dict[str, int]:
    """A new action plan (the committee); objectives, tasks and activities follow, or come
    from a workbook (``POST /api/monitoring/plans/import``)."""
    return {"id": service.create_plan(session=session, principal=user, data=data).id}


@api.get("/plan", response_model=PlanStatusOut)
def api_plan_status(
    user: CurrentUser, session: DbSession, plan_id: int | None = None
) -> PlanStatusOut:
    """The plan's progress: counts by state (overdue included) per key task."""
    return service.status(session=session, principal=user, plan_id=plan_id)


@api.post("/plans/import")
def api_import_plan(
    user: CurrentUser, session: DbSession, file: Annotated[UploadFile, File()]
) -> dict[str, int]:
    """A plan workbook (see ``GET /api/monitoring/plans/template.xlsx``): all or nothing."""
    return workbook.import_plan(
        session=session,
        principal=user,
        content=read_upload(file),
        filename=file.filename or "plan.xlsx",
    )


@api.get("/plans/template.xlsx")
def api_plan_template(user: CurrentUser) -> Response:
    return download(workbook.template(), "rarecare-ke-hoach-mau.xlsx", "xlsx")


@api.get("/plans/export.xlsx")
def api_plan_export(user: CurrentUser, session: DbSession) -> Response:
    return download(
        workbook.export(session=session, principal=user), "rarecare-ke-hoach.xlsx", "xlsx"
    )


@api.get("/activities", response_model=list[ActivityOut])
def api_activities(
    user: CurrentUser,
    session: DbSession,
    state: Annotated[list[str] | None, Query(description="e.g. overdue, at_risk")] = None,
) -> list[ActivityOut]:
    """The activities the user may see, deadline first."""
    return [
        activity_out(a)
        for a in service.activities(session=session, principal=user, states=state or ())
    ]


@api.post("/activities", response_model=ActivityOut, status_code=201)
def api_create_activity(data: ActivityIn, user: CurrentUser, session: DbSession) -> ActivityOut:
    return activity_out(service.create_activity(session=session, principal=user, data=data))


@api.get("/activities/{activity_id}", response_model=ActivityOut)
def api_activity(activity_id: int, user: CurrentUser, session: DbSession) -> ActivityOut:
    return activity_out(
        service.get_activity(session=session, principal=user, activity_id=activity_id)
    )


@api.patch("/activities/{activity_id}", response_model=ActivityOut)
def api_update_activity(
    activity_id: int, data: ActivityChangeIn, user: CurrentUser, session: DbSession
) -> ActivityOut:
    """Change status, % done, comment (centre staff, for their organisation's activities) or
    anything (the committee); with ``version``, a save from an older version answers 409."""
    return activity_out(
        service.update_activity(session=session, principal=user, activity_id=activity_id, data=data)
    )


@api.get("/activities/{activity_id}/history", response_model=list[ChangeOut])
def api_history(activity_id: int, user: CurrentUser, session: DbSession) -> list[ChangeOut]:
    return [
        ChangeOut.model_validate(c)
        for c in service.history(session=session, principal=user, activity_id=activity_id)
    ]


@api.post("/activities/{activity_id}/evidence", response_model=EvidenceOut, status_code=201)
def api_add_evidence(
    activity_id: int,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    label: Annotated[str, Form(max_length=300)] = "",
    url: Annotated[str, Form(max_length=500)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> EvidenceOut:
    """Evidence of progress: a link (``url``) or a document (``file``: PDF, Office, PNG,
    JPEG; at most 20 MB)."""
    evidence = service.add_evidence(
        session=session,
        principal=user,
        activity_id=activity_id,
        label=label,
        url=url,
        filename=file.filename or "" if file is not None else "",
        content=read_upload(file) if file is not None and file.filename else None,
        storage_dir=settings.uploads_dir / "evidence",
    )
    return EvidenceOut.model_validate(evidence)


@api.get("/evidence/{evidence_id}/file")
def api_evidence_file(
    evidence_id: int, user: CurrentUser, session: DbSession, settings: AppSettings
) -> FileResponse:
    path, name = service.evidence_file(
        session=session,
        principal=user,
        evidence_id=evidence_id,
        storage_dir=settings.uploads_dir / "evidence",
    )
    return FileResponse(path, filename=name, headers={"Cache-Control": "no-store"})


@api.get("/committee", response_model=list[MemberOut])
def api_members(user: CurrentUser, session: DbSession) -> list[MemberOut]:
    return [MemberOut.model_validate(m) for m in committee.members(session=session, principal=user)]


@api.post("/committee", response_model=MemberOut, status_code=201)
def api_add_member(data: MemberIn, user: CurrentUser, session: DbSession) -> MemberOut:
    return MemberOut.model_validate(
        committee.add_member(session=session, principal=user, data=data)
    )


@api.get("/meetings", response_model=list[MeetingOut])
def api_meetings(user: CurrentUser, session: DbSession) -> list[MeetingOut]:
    return [
        MeetingOut.model_validate(m) for m in committee.meetings(session=session, principal=user)
    ]


@api.post("/meetings", response_model=MeetingOut, status_code=201)
def api_add_meeting(data: MeetingIn, user: CurrentUser, session: DbSession) -> MeetingOut:
    """A meeting with its attendance and the decisions taken."""
    return MeetingOut.model_validate(
        committee.add_meeting(session=session, principal=user, data=data)
    )


@api.post("/meetings/{meeting_id}/minutes", response_model=MeetingOut)
def api_minutes(
    meeting_id: int,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    file: Annotated[UploadFile, File()],
) -> MeetingOut:
    """The signed minutes (PDF)."""
    return MeetingOut.model_validate(
        committee.attach_minutes(
            session=session,
            principal=user,
            meeting_id=meeting_id,
            content=read_upload(file),
            filename=file.filename or "minutes.pdf",
            storage_dir=settings.uploads_dir / "minutes",
        )
    )


@api.get("/meetings/{meeting_id}/minutes")
def api_minutes_file(
    meeting_id: int, user: CurrentUser, session: DbSession, settings: AppSettings
) -> FileResponse:
    meeting = committee.get_meeting(session=session, principal=user, meeting_id=meeting_id)
    if meeting.minutes_sha256 is None:
        raise NotFound()
    return FileResponse(
        settings.uploads_dir / "minutes" / meeting.minutes_sha256,
        filename=meeting.minutes_file or "minutes.pdf",
        media_type="application/pdf",
    )


@api.get("/events", response_model=list[EventOut])
def api_events(
    user: CurrentUser, session: DbSession, start: date | None = None, end: date | None = None
) -> list[EventOut]:
    return [
        EventOut.model_validate(e)
        for e in events.events(session=session, principal=user, start=start, end=end)
    ]


@api.post("/events", response_model=EventOut, status_code=201)
def api_add_event(data: EventIn, user: CurrentUser, session: DbSession) -> EventOut:
    return EventOut.model_validate(events.add_event(session=session, principal=user, data=data))


@api.post("/reports/quarterly/jobs", status_code=202, response_model=JobOut)
def api_quarterly_report(
    user: CurrentUser,
    session: DbSession,
    runner: Runner,
    tasks: BackgroundTasks,
    period: Annotated[str, Query(pattern=r"^\d{4}Q[1-4]$", description="e.g. 2026Q1")],
    fmt: Annotated[str, Query(alias="format", pattern="^(pdf|xlsx)$")] = "pdf",
    lang: Annotated[str, Query(pattern="^(vi|en)$")] = "",
) -> JobOut:
    """The quarterly report, written in the background; the finished job's file is at
    ``/api/jobs/{id}/file``."""
    job = jobs.submit_report(
        session=session,
        principal=user,
        period=period,
        fmt=fmt,
        lang=lang or current_locale.get(),
    )
    tasks.add_task(runner.start, job.id)
    return JobOut.model_validate(job)
