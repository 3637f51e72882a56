"""The release of an extract as a background job: a cohort of a national registry can be
large, so the committee's click answers at once and the job page shows the rows written."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rarecare.access import Principal
from rarecare.i18n import N_
from rarecare.jobs import service as jobs
from rarecare.jobs.models import Job
from rarecare.jobs.service import JobContext
from rarecare.knowledge import load_knowledge
from rarecare.research import service

RELEASE = "research-release"
KIND_LABELS: dict[str, str] = {RELEASE: N_("Research data release")}


def submit_release(*, session: Session, principal: Principal | None, request_id: int) -> Job:
    """Check that the actor may release this request now (a committee member or an admin; the
    request approved), then submit the job that builds the extract."""
    actor = service.check_release(session=session, principal=principal, request_id=request_id)
    return jobs.submit(
        session=session, principal=actor, kind=RELEASE, params={"request_id": request_id}
    )


def release_job(context: JobContext) -> dict[str, Any]:
    request_id = int(context.params["request_id"])
    kb = load_knowledge(context.settings.cache_dir)
    with context.sessions.begin() as session:
        item = service.release(
            session=session,
            principal=context.principal,
            kb=kb,
            request_id=request_id,
            progress=context.report,
        )
        rows = item.rows
    context.report(rows, rows)
    return {"request_no": request_id, "extract_rows": rows}
