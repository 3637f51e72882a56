"""The network's long work as a background job: importing a screening laboratory's results
(the uploaded file kept under the var directory until the job has read it)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from rarecare.access import Principal, require_role
from rarecare.config import Settings
from rarecare.i18n import N_
from rarecare.jobs import service as jobs
from rarecare.jobs.models import Job
from rarecare.jobs.service import JobContext, work_dir
from rarecare.network import screening_import
from rarecare.network.screening import SCREENING_ROLES
from rarecare.registry import keys

SCREENING_IMPORT = "screening-import"
KIND_LABELS: dict[str, str] = {SCREENING_IMPORT: N_("Newborn screening import")}


def submit_import(
    *,
    session: Session,
    principal: Principal | None,
    settings: Settings,
    filename: str,
    content: bytes,
) -> Job:
    actor = require_role(principal, *SCREENING_ROLES)
    name = f"upload-{secrets.token_hex(8)}{Path(filename).suffix.lower()[:5]}"
    (work_dir(settings) / name).write_bytes(content)
    return jobs.submit(
        session=session,
        principal=actor,
        kind=SCREENING_IMPORT,
        params={"upload": name, "filename": filename},
    )


def import_job(context: JobContext) -> dict[str, Any]:
    """Every row of the file, or none (the job's problems name each row)."""
    upload = work_dir(context.settings) / str(context.params["upload"])
    checked = 0

    def progress(rows: int) -> None:
        nonlocal checked
        checked += rows
        context.report(checked, None)

    try:
        with context.sessions.begin() as session:
            report = screening_import.import_results(
                session=session,
                principal=context.principal,
                vault=keys.vault_for(session=session, settings=context.settings),
                content=upload.read_bytes(),
                filename=str(context.params["filename"]),
                workers=min(4, os.cpu_count() or 1),
                progress=progress,
            )
    finally:
        upload.unlink(missing_ok=True)
    context.report(checked, checked)
    return report
