"""Guidelines JSON API. Approved guidelines are public."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile

from rarecare.guidelines import service
from rarecare.guidelines.models import GuidelineStatus
from rarecare.guidelines.schemas import GuidelineIn, GuidelineOut
from rarecare.web.deps import (
    AppSettings,
    CurrentUser,
    DbSession,
    Knowledge,
    principal_of,
)
from rarecare.web.uploads import read_upload

api = APIRouter(prefix="/api/guidelines", tags=["guidelines"])


@api.get("", response_model=list[GuidelineOut])
def api_list(
    request: Request, session: DbSession, orpha_code: str | None = None
) -> list[GuidelineOut]:
    """Guidelines (approved ones for the public; drafts too for the ministry and admins)."""
    principal = principal_of(request)
    items = (
        service.for_disease(session=session, principal=principal, orpha_code=orpha_code)
        if orpha_code
        else service.list_all(session=session, principal=principal)
    )
    return [GuidelineOut.model_validate(g) for g in items]


@api.post("", response_model=GuidelineOut, status_code=201)
def api_create(
    data: GuidelineIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> GuidelineOut:
    """Register a guideline as a draft (ministry, admin)."""
    return GuidelineOut.model_validate(
        service.create(session=session, principal=user, kb=kb, data=data)
    )


@api.post("/{guideline_id}/file", response_model=GuidelineOut)
def api_attach(
    guideline_id: int,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    file: Annotated[UploadFile, File(description="PDF, at most 20 MB")],
) -> GuidelineOut:
    """Attach the guideline's PDF (checked for type, signature and size)."""
    guideline = service.attach_pdf(
        session=session,
        principal=user,
        guideline_id=guideline_id,
        content=read_upload(file),
        filename=file.filename or "guideline.pdf",
        content_type=file.content_type or "",
        storage_dir=settings.uploads_dir / "guidelines",
    )
    return GuidelineOut.model_validate(guideline)


@api.post("/{guideline_id}/status/{status}", response_model=GuidelineOut)
def api_status(
    guideline_id: int,
    status: GuidelineStatus,
    user: CurrentUser,
    session: DbSession,
    version: Annotated[
        int | None,
        Query(description="The guideline's row_version it was read at (changed since: 409)"),
    ] = None,
) -> GuidelineOut:
    """Approve, withdraw or return a guideline to draft."""
    return GuidelineOut.model_validate(
        service.set_status(
            session=session,
            principal=user,
            guideline_id=guideline_id,
            status=status,
            version=version,
        )
    )
