"""The quarterly report as a background job (the web button): written under the var directory,
downloaded from the finished job."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rarecare.access import SYSTEM, Principal, require_role
from rarecare.i18n import N_
from rarecare.jobs import service as jobs
from rarecare.jobs.models import Job
from rarecare.jobs.service import JobContext, JobRunner, work_dir
from rarecare.monitoring import indicators, report, sqlparts
from rarecare.monitoring.service import READERS
from rarecare.storage import utcnow

REPORT = "quarterly-report"
REFRESH = "indicators-refresh"
KIND_LABELS: dict[str, str] = {
    REPORT: N_("Quarterly report"),
    REFRESH: N_("Indicator refresh"),
}


def submit_report(
    *, session: Session, principal: Principal | None, period: str, fmt: str, lang: str
) -> Job:
    actor = require_role(principal, *READERS)
    report.quarter(period)  # a bad period is refused now, not in the job
    return jobs.submit(
        session=session,
        principal=actor,
        kind=REPORT,
        params={"period": period.upper(), "format": fmt, "lang": lang},
    )


def report_job(context: JobContext) -> dict[str, Any]:
    period, fmt = str(context.params["period"]), str(context.params["format"])
    context.report(0, 1)
    with context.sessions() as session:
        content = report.quarterly(session=session, principal=context.principal, period=period)
        data = report.render(content, fmt, str(context.params.get("lang", "vi")))
    name = f"report-{context.job_id}.{fmt}"
    (work_dir(context.settings) / name).write_bytes(data)
    context.report(1, 1)
    return {"file": name, "filename": report.filename(content, fmt), "period": period}


def submit_refresh(*, session: Session, principal: Principal | None, period: str) -> Job:
    actor = require_role(principal, *indicators.REFRESHERS)
    sqlparts.period_range(period)
    return jobs.submit(session=session, principal=actor, kind=REFRESH, params={"period": period})


def refresh_job(context: JobContext) -> dict[str, Any]:
    """Recompute and store every indicator of a period (progress: the three steps)."""
    period = str(context.params["period"])
    with context.sessions.begin() as session:
        run = indicators.refresh(
            session=session, principal=context.principal, period=period, progress=context.report
        )
        return {"period": period, "values": run.values_count, "records": run.records}


def refresh_if_stale(
    *, sessions: sessionmaker[Session], runner: JobRunner, hours: float, today: date
) -> int | None:
    """Submit a refresh of the current quarter when its figures are older than ``hours`` (or
    missing) and none is queued or running; returns the job's id, if one was submitted."""
    period = indicators.quarter_of(today)
    with sessions() as session:
        last = indicators.last_refresh(session=session, period=period)
        if last is not None and utcnow() - last.computed_at < timedelta(hours=hours):
            return None
        pending = session.scalar(
            select(Job.id).where(Job.kind == REFRESH, Job.status.in_(("queued", "running")))
        )
        if pending is not None:
            return None
    with sessions.begin() as session:
        job_id = submit_refresh(session=session, principal=SYSTEM, period=period).id
    runner.start(job_id)
    return job_id
