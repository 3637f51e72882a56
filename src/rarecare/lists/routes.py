"""National lists JSON API: versions, entries, import, approval, export, diff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Query, Request, Response, UploadFile

from rarecare.lists import service
from rarecare.lists.models import ListKind, ListVersion
from rarecare.lists.schemas import (
    DiffOut,
    DiseaseEntryOut,
    DrugEntryOut,
    ImportMode,
    ImportReport,
    VersionIn,
    VersionOut,
)
from rarecare.web.deps import CurrentUser, DbSession, Knowledge, principal_of
from rarecare.web.downloads import download
from rarecare.web.uploads import read_upload

api = APIRouter(prefix="/api/lists", tags=["lists"])


def versions_out(session: DbSession, versions: list[ListVersion]) -> list[VersionOut]:
    counts = service.entry_counts(session=session, version_ids=[v.id for v in versions])
    return [
        VersionOut.model_validate(v).model_copy(update={"entry_count": counts.get(v.id, 0)})
        for v in versions
    ]


@api.get("/{kind}/versions", response_model=list[VersionOut])
def api_versions(kind: ListKind, request: Request, session: DbSession) -> list[VersionOut]:
    """Versions of a list, newest first (drafts only for the ministry and admins)."""
    return versions_out(
        session, service.list_versions(session=session, principal=principal_of(request), kind=kind)
    )


@api.post("/{kind}/versions", response_model=VersionOut, status_code=201)
def api_create_version(
    kind: ListKind,
    data: VersionIn,
    user: CurrentUser,
    session: DbSession,
    copy_from: int | None = None,
) -> VersionOut:
    """Create a draft version (ministry, admin), empty or copied from another version."""
    version = service.create_version(
        session=session, principal=user, kind=kind, data=data, copy_from=copy_from
    )
    return versions_out(session, [version])[0]


@api.get("/{kind}/template.{fmt}")
def api_template(kind: ListKind, fmt: str) -> Response:
    """The import template (CSV or XLSX) with an example row."""
    data, filename = service.template_file(kind, fmt)
    return download(data, filename, fmt)


@api.get("/versions/{version_id}", response_model=VersionOut)
def api_version(version_id: int, request: Request, session: DbSession) -> VersionOut:
    return versions_out(
        session,
        [
            service.get_version(
                session=session, principal=principal_of(request), version_id=version_id
            )
        ],
    )[0]


@api.put("/versions/{version_id}", response_model=VersionOut)
def api_update_version(
    version_id: int, data: VersionIn, user: CurrentUser, session: DbSession
) -> VersionOut:
    """Edit a draft's title, decision and dates."""
    return versions_out(
        session,
        [service.update_version(session=session, principal=user, version_id=version_id, data=data)],
    )[0]


@api.delete("/versions/{version_id}", status_code=204)
def api_delete_version(version_id: int, user: CurrentUser, session: DbSession) -> None:
    """Delete a draft."""
    service.delete_draft(session=session, principal=user, version_id=version_id)


@api.get(
    "/versions/{version_id}/entries", response_model=list[DiseaseEntryOut] | list[DrugEntryOut]
)
def api_entries(version_id: int, request: Request, session: DbSession) -> list[Any]:
    version = service.get_version(
        session=session, principal=principal_of(request), version_id=version_id
    )
    model = DiseaseEntryOut if version.kind is ListKind.DISEASES else DrugEntryOut
    return [model.model_validate(e) for e in service.entries(version)]


@api.post("/versions/{version_id}/import", response_model=ImportReport)
def api_import(
    version_id: int,
    user: CurrentUser,
    kb: Knowledge,
    session: DbSession,
    file: Annotated[UploadFile, File(description="CSV or XLSX following the template")],
    dry_run: bool = False,
    mode: ImportMode = ImportMode.REPLACE,
    confirm: bool = False,
) -> ImportReport:
    """Import a file into a draft: all rows or none; every problem names its row and column
    (HTTP 422). ``replace`` makes the draft the file and, when that removes entries, needs
    ``confirm=true`` (else 409 naming them; a dry run lists them); ``merge`` adds and updates."""
    content = read_upload(file)
    return service.import_file(
        session=session,
        principal=user,
        kb=kb,
        version_id=version_id,
        content=content,
        filename=file.filename or "upload.csv",
        dry_run=dry_run,
        mode=mode,
        confirm=confirm,
    )


@api.post("/versions/{version_id}/approve", response_model=VersionOut)
def api_approve(version_id: int, user: CurrentUser, session: DbSession) -> VersionOut:
    """Approve a draft; the previously approved version becomes superseded — on the draft's
    effective date when that is later (status ``scheduled`` until then)."""
    return versions_out(
        session, [service.approve(session=session, principal=user, version_id=version_id)]
    )[0]


@api.post("/versions/{version_id}/withdraw", response_model=VersionOut)
def api_withdraw(
    version_id: int,
    user: CurrentUser,
    session: DbSession,
    reason: Annotated[str, Body(embed=True)],
) -> VersionOut:
    """Take a scheduled version back to draft before its effective date (with the reason)."""
    withdrawn = service.withdraw_schedule(
        session=session, principal=user, version_id=version_id, reason=reason
    )
    return versions_out(session, [withdrawn])[0]


@api.get("/versions/{version_id}/export.{fmt}")
def api_export(version_id: int, fmt: str, request: Request, session: DbSession) -> Response:
    data, filename = service.export_file(
        session=session, principal=principal_of(request), version_id=version_id, fmt=fmt
    )
    return download(data, filename, fmt)


@api.get("/diff", response_model=DiffOut)
def api_diff(
    request: Request,
    session: DbSession,
    from_id: Annotated[int, Query(alias="from")],
    to_id: Annotated[int, Query(alias="to")],
) -> DiffOut:
    """Entries added, removed and changed (field by field) between two versions."""
    return service.diff(
        session=session, principal=principal_of(request), from_id=from_id, to_id=to_id
    )
