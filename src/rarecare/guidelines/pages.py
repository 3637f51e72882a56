"""Guidelines pages. Approved guidelines are public."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from rarecare.errors import RareCareError
from rarecare.guidelines import service
from rarecare.guidelines.models import GuidelineStatus
from rarecare.guidelines.schemas import GuidelineIn
from rarecare.web.deps import AppSettings, CurrentUser, DbSession, Knowledge, principal_of
from rarecare.web.forms import error_lines
from rarecare.web.templating import render
from rarecare.web.uploads import read_upload

pages = APIRouter(include_in_schema=False)


@pages.get("/guidelines", response_class=HTMLResponse)
def guidelines_page(request: Request, session: DbSession, kb: Knowledge) -> HTMLResponse:
    items = service.list_all(session=session, principal=principal_of(request))
    names = {
        g.orpha_code: kb.diseases[g.orpha_code].name for g in items if g.orpha_code in kb.diseases
    }
    return render(request, "guidelines.html", {"items": items, "names": names, "errors": []})


@pages.post("/guidelines", response_model=None)
def guidelines_create(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    settings: AppSettings,
    orpha_code: Annotated[str, Form()],
    title: Annotated[str, Form()],
    version: Annotated[str, Form()] = "",
    decision_number: Annotated[str, Form()] = "",
    issued_on: Annotated[date | None, Form()] = None,
    summary: Annotated[str, Form()] = "",
    link_url: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        data = GuidelineIn(
            orpha_code=orpha_code,
            title=title,
            version=version,
            decision_number=decision_number,
            issued_on=issued_on,
            summary=summary,
            link_url=link_url,
        )
        guideline = service.create(session=session, principal=user, kb=kb, data=data)
        if file is not None and file.filename:
            service.attach_pdf(
                session=session,
                principal=user,
                guideline_id=guideline.id,
                content=read_upload(file),
                filename=file.filename,
                content_type=file.content_type or "",
                storage_dir=settings.uploads_dir / "guidelines",
            )
    except RareCareError as exc:
        session.rollback()
        items = service.list_all(session=session, principal=user)
        names = {
            g.orpha_code: kb.diseases[g.orpha_code].name
            for g in items
            if g.orpha_code in kb.diseases
        }
        return render(
            request,
            "guidelines.html",
            {"items": items, "names": names, "errors": error_lines(exc)},
            status_code=exc.status_code,
        )
    return RedirectResponse("/guidelines", status_code=303)


@pages.post("/guidelines/{guideline_id}/status")
def guidelines_status(
    guideline_id: int,
    user: CurrentUser,
    session: DbSession,
    status: Annotated[GuidelineStatus, Form()],
    version: Annotated[int | None, Form()] = None,
) -> RedirectResponse:
    service.set_status(
        session=session,
        principal=user,
        guideline_id=guideline_id,
        status=status,
        version=version,
    )
    return RedirectResponse("/guidelines", status_code=303)


@pages.get("/guidelines/{guideline_id}/file")
def guidelines_file(
    guideline_id: int, request: Request, session: DbSession, settings: AppSettings
) -> FileResponse:
    path, name = service.pdf_path(
        session=session,
        principal=principal_of(request),
        guideline_id=guideline_id,
        storage_dir=settings.uploads_dir / "guidelines",
    )
    return FileResponse(path, media_type="application/pdf", filename=name)
