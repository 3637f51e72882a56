"""National lists: pages (versions, entries, import, approve, diff) and JSON API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from rarecare.access import Principal
from rarecare.errors import RareCareError
from rarecare.lists import service
from rarecare.lists.models import ListKind, ListVersion
from rarecare.lists.schemas import (
    DiffOut,
    DiseaseEntryOut,
    DrugEntryOut,
    ImportReport,
    VersionIn,
    VersionOut,
)
from rarecare.web.deps import CurrentUser, DbSession, Knowledge
from rarecare.web.downloads import download
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/lists", tags=["lists"])


def _out(session: DbSession, versions: list[ListVersion]) -> list[VersionOut]:
    counts = service.entry_counts(session=session, version_ids=[v.id for v in versions])
    return [
        VersionOut.model_validate(v).model_copy(update={"entry_count": counts.get(v.id, 0)})
        for v in versions
    ]


def _principal(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


# ---------------------------------------------------------------------------------- pages
@pages.get("/lists/{kind}", response_class=HTMLResponse)
def versions_page(kind: ListKind, request: Request, session: DbSession) -> HTMLResponse:
    versions = _out(
        session, service.list_versions(session=session, principal=_principal(request), kind=kind)
    )
    return render(request, "lists.html", {"kind": kind.value, "versions": versions, "errors": []})


@pages.post("/lists/{kind}", response_model=None)
def create_version_form(
    kind: ListKind,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    title: Annotated[str, Form()],
    decision_number: Annotated[str, Form()] = "",
    decision_date: Annotated[date | None, Form()] = None,
    effective_from: Annotated[date | None, Form()] = None,
    copy_from: Annotated[int | None, Form()] = None,
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        data = VersionIn(
            title=title,
            decision_number=decision_number,
            decision_date=decision_date,
            effective_from=effective_from,
            note=note,
        )
        version = service.create_version(
            session=session, principal=user, kind=kind, data=data, copy_from=copy_from
        )
    except RareCareError as exc:
        session.rollback()
        versions = _out(session, service.list_versions(session=session, principal=user, kind=kind))
        return render(
            request,
            "lists.html",
            {
                "kind": kind.value,
                "versions": versions,
                "errors": [exc.message, *map(str, exc.details)],
            },
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/lists/{kind.value}/{version.id}", status_code=303)


@pages.get("/lists/{kind}/template.{fmt}")
def template_download(kind: ListKind, fmt: str) -> Response:
    data, filename = service.template_file(kind, fmt)
    return download(data, filename, fmt)


@pages.get("/lists/{kind}/diff", response_class=HTMLResponse)
def diff_page(
    kind: ListKind,
    request: Request,
    session: DbSession,
    from_id: Annotated[int, Query(alias="from")],
    to_id: Annotated[int, Query(alias="to")],
) -> HTMLResponse:
    result = service.diff(
        session=session, principal=_principal(request), from_id=from_id, to_id=to_id
    )
    return render(request, "list_diff.html", {"kind": kind.value, "diff": result})


@pages.get("/lists/{kind}/{version_id}", response_class=HTMLResponse)
def version_page(
    kind: ListKind, version_id: int, request: Request, session: DbSession
) -> HTMLResponse:
    version = service.get_version(
        session=session, principal=_principal(request), version_id=version_id, kind=kind
    )
    return _version_view(request, session, version)


def _version_view(
    request: Request,
    session: DbSession,
    version: ListVersion,
    *,
    errors: list[str] | None = None,
    report: ImportReport | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    others = [
        v
        for v in service.list_versions(
            session=session, principal=_principal(request), kind=version.kind
        )
        if v.id != version.id
    ]
    return render(
        request,
        "list_version.html",
        {
            "kind": version.kind.value,
            "v": _out(session, [version])[0],
            "entries": service.entries(version),
            "others": others,
            "errors": errors or [],
            "report": report,
        },
        status_code=status_code,
    )


@pages.post("/lists/{kind}/{version_id}/import", response_class=HTMLResponse)
async def import_form(
    kind: ListKind,
    version_id: int,
    request: Request,
    user: CurrentUser,
    kb: Knowledge,
    session: DbSession,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    content = await file.read()
    try:
        report = service.import_file(
            session=session,
            principal=user,
            kb=kb,
            version_id=version_id,
            content=content,
            filename=file.filename or "upload.csv",
            dry_run=dry_run,
        )
    except RareCareError as exc:
        session.rollback()
        version = service.get_version(
            session=session, principal=user, version_id=version_id, kind=kind
        )
        return _version_view(
            request,
            session,
            version,
            errors=[exc.message, *map(str, exc.details)],
            status_code=exc.status_code,
        )
    version = service.get_version(session=session, principal=user, version_id=version_id, kind=kind)
    return _version_view(request, session, version, report=report)


@pages.post("/lists/{kind}/{version_id}/approve", response_model=None)
def approve_form(
    kind: ListKind, version_id: int, request: Request, user: CurrentUser, session: DbSession
) -> Response:
    try:
        service.approve(session=session, principal=user, version_id=version_id)
    except RareCareError as exc:
        session.rollback()
        version = service.get_version(
            session=session, principal=user, version_id=version_id, kind=kind
        )
        return _version_view(
            request,
            session,
            version,
            errors=[exc.message, *map(str, exc.details)],
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/lists/{kind.value}/{version_id}", status_code=303)


@pages.get("/lists/{kind}/{version_id}/export.{fmt}")
def export_download(
    kind: ListKind, version_id: int, fmt: str, request: Request, session: DbSession
) -> Response:
    data, filename = service.export_file(
        session=session, principal=_principal(request), version_id=version_id, fmt=fmt
    )
    return download(data, filename, fmt)


# -------------------------------------------------------------------------------------- API
@api.get("/{kind}/versions", response_model=list[VersionOut])
def api_versions(kind: ListKind, request: Request, session: DbSession) -> list[VersionOut]:
    """Versions of a list, newest first (drafts only for the ministry and admins)."""
    return _out(
        session, service.list_versions(session=session, principal=_principal(request), kind=kind)
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
    return _out(session, [version])[0]


@api.get("/{kind}/template.{fmt}")
def api_template(kind: ListKind, fmt: str) -> Response:
    """The import template (CSV or XLSX) with an example row."""
    data, filename = service.template_file(kind, fmt)
    return download(data, filename, fmt)


@api.get("/versions/{version_id}", response_model=VersionOut)
def api_version(version_id: int, request: Request, session: DbSession) -> VersionOut:
    return _out(
        session,
        [
            service.get_version(
                session=session, principal=_principal(request), version_id=version_id
            )
        ],
    )[0]


@api.put("/versions/{version_id}", response_model=VersionOut)
def api_update_version(
    version_id: int, data: VersionIn, user: CurrentUser, session: DbSession
) -> VersionOut:
    """Edit a draft's title, decision and dates."""
    return _out(
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
        session=session, principal=_principal(request), version_id=version_id
    )
    model = DiseaseEntryOut if version.kind is ListKind.DISEASES else DrugEntryOut
    return [model.model_validate(e) for e in service.entries(version)]


@api.post("/versions/{version_id}/import", response_model=ImportReport)
async def api_import(
    version_id: int,
    user: CurrentUser,
    kb: Knowledge,
    session: DbSession,
    file: Annotated[UploadFile, File(description="CSV or XLSX following the template")],
    dry_run: bool = False,
) -> ImportReport:
    """Replace a draft's entries with a file: all rows or none; every problem names its row and
    column (HTTP 422)."""
    content = await file.read()
    return service.import_file(
        session=session,
        principal=user,
        kb=kb,
        version_id=version_id,
        content=content,
        filename=file.filename or "upload.csv",
        dry_run=dry_run,
    )


@api.post("/versions/{version_id}/approve", response_model=VersionOut)
def api_approve(version_id: int, user: CurrentUser, session: DbSession) -> VersionOut:
    """Approve a draft; the previously approved version becomes superseded."""
    return _out(session, [service.approve(session=session, principal=user, version_id=version_id)])[
        0
    ]


@api.get("/versions/{version_id}/export.{fmt}")
def api_export(version_id: int, fmt: str, request: Request, session: DbSession) -> Response:
    data, filename = service.export_file(
        session=session, principal=_principal(request), version_id=version_id, fmt=fmt
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
        session=session, principal=_principal(request), from_id=from_id, to_id=to_id
    )
