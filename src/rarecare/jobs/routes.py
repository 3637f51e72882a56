"""Jobs JSON API: follow a job, download what it produced."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from rarecare.errors import NotFound
from rarecare.jobs import service
from rarecare.jobs.deps import Runner
from rarecare.jobs.schemas import JobOut
from rarecare.web.deps import AppSettings, CurrentUser, DbSession

api = APIRouter(prefix="/api/jobs", tags=["jobs"])


@api.get("/{job_id}", response_model=JobOut)
def api_job(job_id: int, user: CurrentUser, session: DbSession, runner: Runner) -> JobOut:
    """A background job's status and progress (its owner, or an administrator)."""
    return runner.progress(service.get(session=session, principal=user, job_id=job_id))


@api.get("/{job_id}/file")
def api_job_file(
    job_id: int, user: CurrentUser, session: DbSession, settings: AppSettings
) -> FileResponse:
    """The file a finished job produced (an export), for its owner."""
    job = service.get(session=session, principal=user, job_id=job_id)
    path = service.output_path(settings, job)
    if job.status != "done" or path is None or not path.exists():
        raise NotFound()
    return FileResponse(
        path,
        filename=str((job.result or {}).get("filename", path.name)),
        headers={"Cache-Control": "no-store"},
    )
