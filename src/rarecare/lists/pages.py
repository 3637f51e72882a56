"""National lists pages: versions, entries, import, approval, diff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from rarecare.access import Principal
from rarecare.errors import RareCareError
from rarecare.i18n import _
from rarecare.lists import service
from rarecare.lists.models import ListKind, ListVersion
from rarecare.lists.routes import versions_out
from rarecare.lists.schemas import (
    ImportMode,
    ImportReport,
    VersionIn,
)
from rarecare.lists.tables import REIMBURSEMENT_LABELS
from rarecare.web.deps import CurrentUser, DbSession, Knowledge, principal_of
from rarecare.web.downloads import download
from rarecare.web.forms import FormFields, error_lines, invalid_as, submitted
from rarecare.web.templating import render
from rarecare.web.uploads import read_upload

pages = APIRouter(include_in_schema=False)


@pages.get("/lists/{kind}", response_class=HTMLResponse)
def versions_page(kind: ListKind, request: Request, session: DbSession) -> HTMLResponse:
    versions = versions_out(
        session, service.list_versions(session=session, principal=principal_of(request), kind=kind)
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
        versions = versions_out(
            session, service.list_versions(session=session, principal=user, kind=kind)
        )
        return render(
            request,
            "lists.html",
            {
                "kind": kind.value,
                "versions": versions,
                "errors": error_lines(exc),
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
        session=session, principal=principal_of(request), from_id=from_id, to_id=to_id
    )
    return render(request, "list_diff.html", {"kind": kind.value, "diff": result})


@pages.get("/lists/{kind}/{version_id}", response_class=HTMLResponse)
def version_page(
    kind: ListKind, version_id: int, request: Request, session: DbSession
) -> HTMLResponse:
    version = service.get_version(
        session=session, principal=principal_of(request), version_id=version_id, kind=kind
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
            session=session, principal=principal_of(request), kind=version.kind
        )
        if v.id != version.id
    ]
    in_force = service.current_version(session=session, kind=version.kind)
    pending = None  # a draft: what approving it changes in the list in force
    if version.status.value == "draft" and in_force is not None:
        pending = service.diff(
            session=session,
            principal=principal_of(request),
            from_id=in_force.id,
            to_id=version.id,
        )
    return render(
        request,
        "list_version.html",
        {
            "kind": version.kind.value,
            "v": versions_out(session, [version])[0],
            "entries": service.entries(version),
            "others": others,
            "errors": errors or [],
            "report": report,
            "edited_by": version.edited_by or version.created_by,
            "in_force": in_force,
            "pending": pending,
            "reimbursement_labels": REIMBURSEMENT_LABELS,
        },
        status_code=status_code,
    )


@pages.post("/lists/{kind}/{version_id}/import", response_class=HTMLResponse)
def import_form(
    kind: ListKind,
    version_id: int,
    request: Request,
    user: CurrentUser,
    kb: Knowledge,
    session: DbSession,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
    mode: Annotated[ImportMode, Form()] = ImportMode.MERGE,
    confirm: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    content = read_upload(file)
    try:
        report = service.import_file(
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
    except RareCareError as exc:
        return _refused(request, session, user, kind, version_id, exc)
    version = service.get_version(session=session, principal=user, version_id=version_id, kind=kind)
    return _version_view(request, session, version, report=report)


def _refused(
    request: Request,
    session: DbSession,
    user: Principal,
    kind: ListKind,
    version_id: int,
    exc: RareCareError,
) -> HTMLResponse:
    """The version page again with what was wrong (nothing of the refused action written)."""
    session.rollback()
    return _again(request, session, user, kind, version_id)(error_lines(exc), exc.status_code)


def _again(
    request: Request, session: DbSession, user: Principal, kind: ListKind, version_id: int
) -> Callable[[list[str], int], HTMLResponse]:
    """What a refused form on a version's page answers: the page again, with the errors."""

    def failed(lines: list[str], status: int) -> HTMLResponse:
        version = service.get_version(
            session=session, principal=user, version_id=version_id, kind=kind
        )
        return _version_view(request, session, version, errors=lines, status_code=status)

    return failed


@pages.post("/lists/{kind}/{version_id}/approve", response_model=None)
def approve_form(
    kind: ListKind, version_id: int, request: Request, user: CurrentUser, session: DbSession
) -> Response:
    try:
        service.approve(session=session, principal=user, version_id=version_id)
    except RareCareError as exc:
        return _refused(request, session, user, kind, version_id, exc)
    return RedirectResponse(f"/lists/{kind.value}/{version_id}", status_code=303)


@pages.post("/lists/{kind}/{version_id}/withdraw", response_model=None)
def withdraw_form(
    kind: ListKind,
    version_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    form: FormFields,
) -> Response:
    """Take a scheduled version back to draft before it takes effect."""
    try:
        service.withdraw_schedule(
            session=session, principal=user, version_id=version_id, reason=form.get("reason", "")
        )
    except RareCareError as exc:
        return _refused(request, session, user, kind, version_id, exc)
    return RedirectResponse(f"/lists/{kind.value}/{version_id}", status_code=303)


@pages.post("/lists/{kind}/{version_id}/edit", response_model=None)
def edit_form(
    kind: ListKind,
    version_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    form: FormFields,
) -> Response:
    """Change a draft's title, decision and dates (refused, naming the fields, when another
    person saved the draft since the page was read)."""

    def save() -> None:
        with invalid_as(_("The draft's details are not valid.")):
            data = VersionIn.model_validate(
                {
                    "title": form.get("title", ""),
                    "issuing_body": form.get("issuing_body", ""),
                    "decision_number": form.get("decision_number", ""),
                    "decision_date": form.get("decision_date") or None,
                    "effective_from": form.get("effective_from") or None,
                    "effective_to": form.get("effective_to") or None,
                    "note": form.get("note", ""),
                    "version": form.get("version") or None,
                }
            )
        service.update_version(session=session, principal=user, version_id=version_id, data=data)

    return submitted(
        session,
        save,
        failed=_again(request, session, user, kind, version_id),
        done=f"/lists/{kind.value}/{version_id}",
    )


@pages.post("/lists/{kind}/{version_id}/delete", response_model=None)
def delete_form(
    kind: ListKind, version_id: int, request: Request, user: CurrentUser, session: DbSession
) -> Response:
    """Delete a draft (an approved version is history and stays)."""
    return submitted(
        session,
        lambda: service.delete_draft(session=session, principal=user, version_id=version_id),
        failed=_again(request, session, user, kind, version_id),
        done=f"/lists/{kind.value}?deleted={version_id}",
    )


@pages.get("/lists/{kind}/{version_id}/export.{fmt}")
def export_download(
    kind: ListKind, version_id: int, fmt: str, request: Request, session: DbSession
) -> Response:
    data, filename = service.export_file(
        session=session, principal=principal_of(request), version_id=version_id, fmt=fmt
    )
    return download(data, filename, fmt)
