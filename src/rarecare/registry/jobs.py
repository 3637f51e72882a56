"""The registry's long work as background jobs: a bulk import (the uploaded file kept under the
var directory until the job has read it) and an export of every visible record."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_role
from rarecare.config import Settings
from rarecare.i18n import N_
from rarecare.jobs import service as jobs
from rarecare.jobs.models import Job
from rarecare.jobs.service import JobContext, work_dir
from rarecare.knowledge import load_knowledge
from rarecare.registry import bulk, keys

IMPORT = "registry-import"
EXPORT = "registry-export"
KIND_LABELS: dict[str, str] = {IMPORT: N_("Registry import"), EXPORT: N_("Registry export")}


def submit_import(
    *,
    session: Session,
    principal: Principal | None,
    settings: Settings,
    filename: str,
    content: bytes,
    dry_run: bool = False,
) -> Job:
    """Keep the upload for the job (under the var directory, under a name of our own) and
    submit the import (clinicians and data managers, at their centre)."""
    actor = require_role(principal, Role.CLINICIAN, Role.DATA_MANAGER)
    name = f"upload-{secrets.token_hex(8)}{Path(filename).suffix.lower()[:5]}"
    (work_dir(settings) / name).write_bytes(content)
    return jobs.submit(
        session=session,
        principal=actor,
        kind=IMPORT,
        params={"upload": name, "filename": filename, "dry_run": dry_run},
    )


def submit_export(*, session: Session, principal: Principal | None, fmt: str) -> Job:
    return jobs.submit(session=session, principal=principal, kind=EXPORT, params={"format": fmt})


def import_job(context: JobContext) -> dict[str, Any]:
    """Check and register every row of the file, or none (the report lists each problem)."""
    settings = context.settings
    upload = work_dir(settings) / str(context.params["upload"])
    kb = load_knowledge(settings.cache_dir)
    checked = 0

    def progress(rows: int) -> None:
        nonlocal checked
        checked += rows
        context.report(checked, None)

    try:
        with context.sessions.begin() as session:
            report = bulk.import_patients(
                session=session,
                principal=context.principal,
                kb=kb,
                vault=keys.vault_for(session=session, settings=settings),
                content=upload.read_bytes(),
                filename=str(context.params["filename"]),
                dry_run=bool(context.params.get("dry_run")),
                progress=progress,
            )
    finally:
        upload.unlink(missing_ok=True)
    context.report(checked, checked)
    return {k: v for k, v in report.items() if isinstance(v, int | str | bool)}


def export_job(context: JobContext) -> dict[str, Any]:
    """Every record the owner may see, pseudonymised, as CSV or XLSX."""
    fmt = str(context.params["format"])
    name = f"export-{context.job_id}.{fmt}"

    def progress(rows: int) -> None:
        context.report(rows, None)

    with (
        context.sessions.begin() as session,
        (work_dir(context.settings) / name).open("wb") as target,
    ):
        count = bulk.export_table(
            session=session,
            principal=context.principal,
            fmt=fmt,
            target=target,
            progress=progress,
        )
    context.report(count, count)
    return {"file": name, "filename": f"rarecare-registry.{fmt}", "records": count}
