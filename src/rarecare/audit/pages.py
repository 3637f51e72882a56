"""The audit log for administrators: the page (filters, pages of 50, readable action names)
and its CSV export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import ValidationError

from rarecare import i18n
from rarecare.audit import service
from rarecare.audit.models import ACTION_LABELS
from rarecare.audit.schemas import AuditFilters
from rarecare.errors import ValidationFailed, field_errors
from rarecare.i18n import _
from rarecare.web.deps import Admin, DbSession
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


def _filters(
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> AuditFilters:
    """The filters of the query string (a patient's trail: object type "patient" and the
    record's id, linked from the patient page)."""
    try:
        return AuditFilters.model_validate(
            {
                "actor": actor or None,
                "action": action or None,
                "object_type": object_type or None,
                "object_id": object_id or None,
                "since": since or None,
                "until": until or None,
            }
        )
    except ValidationError as exc:
        raise ValidationFailed(_("Invalid filter."), field_errors(exc.errors())) from exc


Filters = Annotated[AuditFilters, Depends(_filters)]


def action_label(action: str) -> str:
    known = ACTION_LABELS.get(action)
    return i18n.gettext(known) if known else action.replace("_", " ")


@pages.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    admin: Admin,
    session: DbSession,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    events, total = service.find_events(
        session=session,
        principal=admin,
        filters=filters,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    query = filters.model_dump(mode="json", exclude_none=True)
    return render(
        request,
        "audit.html",
        {
            "events": events,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "query": query,
            "actions": sorted(ACTION_LABELS.items(), key=lambda kv: action_label(kv[0])),
            "action_label": action_label,
        },
    )


@pages.get("/admin/audit.csv")
def audit_export(
    admin: Admin,
    session: DbSession,
    filters: Filters,
) -> StreamingResponse:
    """Every matching event as CSV (UTF-8 with a byte-order mark, for spreadsheets); the
    export itself is audited."""
    service.record(
        session=session,
        actor=admin,
        action="export",
        object_type="audit_log",
        detail={"filters": filters.model_dump(mode="json", exclude_none=True)},
    )
    events = list(service.iter_events(session=session, principal=admin, filters=filters))

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                _("When (UTC)"),
                _("Who"),
                _("Role"),
                _("Action"),
                "action",
                _("Object"),
                "id",
                _("Centre"),
                _("Request id"),
                _("Detail"),
            ]
        )
        for e in events:
            writer.writerow(
                [
                    e.at.strftime("%Y-%m-%d %H:%M:%S"),
                    e.actor_username,
                    e.actor_role,
                    action_label(e.action),
                    e.action,
                    e.object_type,
                    e.object_id or "",
                    e.centre_id or "",
                    e.request_id or "",
                    json.dumps(e.detail, ensure_ascii=False) if e.detail else "",
                ]
            )
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    name = f"audit-{date.today().isoformat()}.csv"
    return StreamingResponse(
        iter(["\ufeff", *rows()]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
