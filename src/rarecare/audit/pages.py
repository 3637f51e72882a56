"""The audit log for administrators: the page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rarecare.audit import service
from rarecare.web.deps import Admin, DbSession
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)


@pages.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    admin: Admin,
    session: DbSession,
    object_type: str | None = None,
    actor: str | None = None,
) -> HTMLResponse:
    events = service.list_events(
        session=session,
        principal=admin,
        object_type=object_type or None,
        actor_username=actor or None,
        limit=200,
    )
    return render(
        request,
        "audit.html",
        {"events": events, "object_type": object_type or "", "actor": actor or ""},
    )
