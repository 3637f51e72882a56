"""Jobs pages: a job's progress, followed live (htmx polls its status every second)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rarecare.jobs import service
from rarecare.jobs.deps import Runner
from rarecare.web.deps import CurrentUser, DbSession
from rarecare.web.templating import is_partial, render

pages = APIRouter(include_in_schema=False)


@pages.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    job_id: int, request: Request, user: CurrentUser, session: DbSession, runner: Runner
) -> HTMLResponse:
    job = runner.progress(service.get(session=session, principal=user, job_id=job_id))
    partial = is_partial(request)
    return render(request, "_job.html" if partial else "job.html", {"job": job})
