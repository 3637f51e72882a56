"""Care network JSON API: referrals and their steps, the laboratory test directory and
samples, newborn screening programmes, records, import and figures, notifications."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Body, File, Query, UploadFile
from fastapi.responses import Response

from rarecare.diagnosis.deps import Engine
from rarecare.jobs.deps import Runner
from rarecare.jobs.schemas import JobOut
from rarecare.network import jobs, labs, notifications, referrals, screening, screening_import
from rarecare.network.models import Sample, ScreeningOutcome, ScreeningResult
from rarecare.network.schemas import (
    AttachmentOut,
    BackReferralIn,
    DeclineIn,
    LaboratoryIn,
    LaboratoryOut,
    LabTestIn,
    LabTestOut,
    NotificationOut,
    OutcomeIn,
    ProgrammeIn,
    ProgrammeOut,
    ReferralIn,
    ReferralOut,
    SampleIn,
    SampleOut,
    SampleResultIn,
    SampleStepIn,
    ScreeningFollowUpIn,
    ScreeningOut,
    SeenIn,
)
from rarecare.registry.deps import Vault
from rarecare.registry.schemas import IdentityOut
from rarecare.web.deps import AppSettings, CurrentUser, DbSession, Knowledge
from rarecare.web.downloads import attachment, check_format, download
from rarecare.web.uploads import read_upload

api = APIRouter(prefix="/api/network", tags=["network"])


# ----------------------------------------------------------------------------- referrals
@api.post("/patients/{patient_id}/referrals", response_model=ReferralOut, status_code=201)
def send_referral(
    patient_id: int,
    data: ReferralIn,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    engine: Engine,
) -> ReferralOut:
    """Refer a patient to another centre: its staff see the record from now; the phenotype and
    the diagnosis engine's top suggestions travel with the referral."""
    referral = referrals.send(
        session=session, principal=user, kb=kb, engine=engine, patient_id=patient_id, data=data
    )
    return ReferralOut.model_validate(referral)


@api.get("/referrals", response_model=dict[str, list[ReferralOut]])
def worklist(user: CurrentUser, session: DbSession) -> dict[str, list[ReferralOut]]:
    """The centre's referrals: incoming, outgoing, awaiting an answer > 7 days, closed."""
    lists = referrals.worklist(session=session, principal=user)
    return {k: [ReferralOut.model_validate(r) for r in v] for k, v in lists.items()}


@api.get("/referrals/timings")
def referral_timings(
    user: CurrentUser, session: DbSession, since: date | None = None
) -> dict[str, float | int | None]:
    """Median days referral → answer → first visit → diagnosis (received referrals)."""
    return referrals.timings(session=session, principal=user, since=since)


@api.get("/referrals/{referral_id}", response_model=ReferralOut)
def get_referral(referral_id: int, user: CurrentUser, session: DbSession) -> ReferralOut:
    return ReferralOut.model_validate(
        referrals.get_referral(session=session, principal=user, referral_id=referral_id)
    )


@api.post("/referrals/{referral_id}/accept", response_model=ReferralOut)
def accept(
    referral_id: int,
    user: CurrentUser,
    session: DbSession,
    version: Annotated[int | None, Body(embed=True)] = None,
) -> ReferralOut:
    return ReferralOut.model_validate(
        referrals.accept(session=session, principal=user, referral_id=referral_id, version=version)
    )


@api.post("/referrals/{referral_id}/decline", response_model=ReferralOut)
def decline(
    referral_id: int, data: DeclineIn, user: CurrentUser, session: DbSession
) -> ReferralOut:
    """Decline with a reason: the receiving centre no longer sees the record."""
    return ReferralOut.model_validate(
        referrals.decline(
            session=session,
            principal=user,
            referral_id=referral_id,
            reason=data.reason,
            version=data.version,
        )
    )


@api.post("/referrals/{referral_id}/withdraw", response_model=ReferralOut)
def withdraw(
    referral_id: int,
    user: CurrentUser,
    session: DbSession,
    reason: Annotated[str, Body(embed=True)],
) -> ReferralOut:
    return ReferralOut.model_validate(
        referrals.withdraw(session=session, principal=user, referral_id=referral_id, reason=reason)
    )


@api.post("/referrals/{referral_id}/seen", response_model=ReferralOut)
def seen(referral_id: int, data: SeenIn, user: CurrentUser, session: DbSession) -> ReferralOut:
    return ReferralOut.model_validate(
        referrals.mark_seen(
            session=session,
            principal=user,
            referral_id=referral_id,
            seen_on=data.seen_on,
            version=data.version,
        )
    )


@api.post("/referrals/{referral_id}/outcome", response_model=ReferralOut)
def outcome(
    referral_id: int, data: OutcomeIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> ReferralOut:
    """The receiving centre's diagnosis, returned to the referring centre."""
    return ReferralOut.model_validate(
        referrals.return_diagnosis(
            session=session, principal=user, kb=kb, referral_id=referral_id, data=data
        )
    )


@api.post("/referrals/{referral_id}/back", response_model=ReferralOut, status_code=201)
def back_refer(
    referral_id: int, data: BackReferralIn, user: CurrentUser, session: DbSession
) -> ReferralOut:
    """Refer the patient back near home for maintenance therapy."""
    return ReferralOut.model_validate(
        referrals.back_refer(session=session, principal=user, referral_id=referral_id, data=data)
    )


@api.post("/referrals/{referral_id}/attachments", response_model=AttachmentOut, status_code=201)
def attach(
    referral_id: int,
    user: CurrentUser,
    session: DbSession,
    file: Annotated[UploadFile, File(description="PDF, PNG or JPEG, at most 10 MB")],
) -> AttachmentOut:
    item = referrals.attach(
        session=session,
        principal=user,
        referral_id=referral_id,
        filename=file.filename or "attachment",
        content=read_upload(file),
    )
    return AttachmentOut.model_validate(item)


@api.get("/referrals/{referral_id}/attachments/{attachment_id}")
def referral_attachment(
    referral_id: int, attachment_id: int, user: CurrentUser, session: DbSession
) -> Response:
    item = referrals.attachment(
        session=session, principal=user, referral_id=referral_id, attachment_id=attachment_id
    )
    return attachment(item.content, item.filename, item.media_type)


# --------------------------------------------------------------------------- laboratories
@api.get("/laboratories", response_model=list[LaboratoryOut])
def laboratories(session: DbSession) -> list[LaboratoryOut]:
    """The laboratories (public)."""
    return [LaboratoryOut.model_validate(lab) for lab in labs.laboratories(session=session)]


@api.post("/laboratories", response_model=LaboratoryOut, status_code=201)
def add_laboratory(data: LaboratoryIn, user: CurrentUser, session: DbSession) -> LaboratoryOut:
    return LaboratoryOut.model_validate(
        labs.add_laboratory(session=session, principal=user, data=data)
    )


@api.get("/tests", response_model=list[LabTestOut])
def lab_tests(session: DbSession, orpha: str | None = None) -> list[LabTestOut]:
    """The test directory (public), or the tests that support one disease."""
    return [LabTestOut.model_validate(t) for t in labs.lab_tests(session=session, orpha_code=orpha)]


@api.post("/tests", response_model=LabTestOut, status_code=201)
def add_test(data: LabTestIn, user: CurrentUser, session: DbSession, kb: Knowledge) -> LabTestOut:
    return LabTestOut.model_validate(
        labs.add_test(session=session, principal=user, kb=kb, data=data)
    )


def sample_out(sample: Sample) -> SampleOut:
    due = labs.due(sample)
    return SampleOut.model_validate(sample).model_copy(
        update={"overdue": due.overdue, "due_on": due.due_on}
    )


@api.post("/patients/{patient_id}/samples", response_model=SampleOut, status_code=201)
def order_test(patient_id: int, data: SampleIn, user: CurrentUser, session: DbSession) -> SampleOut:
    return sample_out(labs.order(session=session, principal=user, patient_id=patient_id, data=data))


@api.get("/samples/overdue", response_model=list[SampleOut])
def overdue(user: CurrentUser, session: DbSession) -> list[SampleOut]:
    """The centre's samples without a result past the test's turnaround time."""
    return [sample_out(s) for s, _due in labs.overdue(session=session, principal=user)]


@api.post("/samples/{sample_id}/step", response_model=SampleOut)
def sample_step(
    sample_id: int, data: SampleStepIn, user: CurrentUser, session: DbSession
) -> SampleOut:
    """Mark a sample sent, received or cancelled."""
    return sample_out(
        labs.step(
            session=session,
            principal=user,
            sample_id=sample_id,
            status=data.status,
            on=data.on,
            version=data.version,
        )
    )


@api.post("/samples/{sample_id}/result", response_model=SampleOut)
def sample_result(
    sample_id: int, data: SampleResultIn, user: CurrentUser, session: DbSession
) -> SampleOut:
    return sample_out(
        labs.record_result(session=session, principal=user, sample_id=sample_id, data=data)
    )


# ----------------------------------------------------------------------------- screening
@api.get("/screening/programmes", response_model=list[ProgrammeOut])
def programmes(session: DbSession) -> list[ProgrammeOut]:
    return [ProgrammeOut.model_validate(p) for p in screening.programmes(session=session)]


@api.post("/screening/programmes", response_model=ProgrammeOut, status_code=201)
def add_programme(
    data: ProgrammeIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> ProgrammeOut:
    return ProgrammeOut.model_validate(
        screening.add_programme(session=session, principal=user, kb=kb, data=data)
    )


@api.get("/screening/records", response_model=list[ScreeningOut])
def screening_records(
    user: CurrentUser,
    session: DbSession,
    result: ScreeningResult | None = None,
    outcome: ScreeningOutcome | None = None,
    province: str | None = None,
    sample_code: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ScreeningOut]:
    """Screening records (pseudonymised); ``result=positive&outcome=pending`` is the recall list."""
    found = screening.search(
        session=session,
        principal=user,
        result=result,
        outcome=outcome,
        province=province,
        sample_code=sample_code,
        limit=limit,
    )
    return [ScreeningOut.model_validate(r) for r in found]


@api.post("/screening/records/{record_id}/follow-up", response_model=ScreeningOut)
def follow_up(
    record_id: int, data: ScreeningFollowUpIn, user: CurrentUser, session: DbSession
) -> ScreeningOut:
    return ScreeningOut.model_validate(
        screening.follow_up(session=session, principal=user, record_id=record_id, data=data)
    )


@api.post("/screening/records/{record_id}/identity", response_model=IdentityOut)
def screening_identity(
    record_id: int,
    user: CurrentUser,
    session: DbSession,
    vault: Vault,
    reason: Annotated[str, Body(embed=True)],
) -> IdentityOut:
    """The newborn's identity, to recall the family (a reason; audited)."""
    identity = screening.identity_of(
        session=session, principal=user, vault=vault, record_id=record_id, reason=reason
    )
    return IdentityOut.model_validate(identity.__dict__)


@api.get("/screening/figures")
def screening_figures(
    user: CurrentUser, session: DbSession, first: date, last: date
) -> dict[str, Any]:
    """Coverage by province, results and outcomes, and median days in a period."""
    figures = screening.figures(session=session, principal=user, first=first, last=last)
    return {
        **{k: v for k, v in figures.__dict__.items() if k != "provinces"},
        "coverage": figures.coverage,
        "provinces": [{**p.__dict__, "coverage": p.coverage} for p in figures.provinces],
    }


@api.get("/screening/template.{fmt}")
def screening_template(fmt: str) -> Response:
    check_format(fmt)
    return download(screening_import.template(fmt), f"rarecare-screening-template.{fmt}", fmt)


@api.post("/screening/import")
def screening_import_file(
    user: CurrentUser,
    session: DbSession,
    vault: Vault,
    file: Annotated[UploadFile, File(description="CSV or XLSX following the template")],
) -> dict[str, Any]:
    """Import screening results: every row or none (422 names every problem's row and column)."""
    return screening_import.import_results(
        session=session,
        principal=user,
        vault=vault,
        content=read_upload(file),
        filename=file.filename or "upload.csv",
    )


@api.post("/screening/import/jobs", status_code=202, response_model=JobOut)
def screening_import_job(
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    runner: Runner,
    tasks: BackgroundTasks,
    file: Annotated[UploadFile, File(description="CSV or XLSX following the template")],
) -> JobOut:
    """The same import in the background, with progress at ``/api/jobs/{id}``."""
    job = jobs.submit_import(
        session=session,
        principal=user,
        settings=settings,
        filename=file.filename or "upload.csv",
        content=read_upload(file),
    )
    tasks.add_task(runner.start, job.id)
    return JobOut.model_validate(job)


# ------------------------------------------------------------------------- notifications
@api.get("/notifications", response_model=list[NotificationOut])
def my_notifications(user: CurrentUser, session: DbSession) -> list[NotificationOut]:
    return [
        NotificationOut(
            id=n.id,
            text=notifications.text_of(n),
            link=n.link,
            created_at=n.created_at,
            read_at=n.read_at,
        )
        for n in notifications.recent(session=session, principal=user)
    ]


@api.post("/notifications/read")
def read_all(user: CurrentUser, session: DbSession) -> dict[str, int]:
    return {"marked": notifications.mark_read(session=session, principal=user)}
