"""The audit log for administrators: JSON API."""

from __future__ import annotations

from fastapi import APIRouter

from rarecare.audit import service
from rarecare.audit.schemas import AuditEventOut
from rarecare.web.deps import Admin, DbSession

api = APIRouter(prefix="/api/audit", tags=["audit"])


@api.get("", response_model=list[AuditEventOut])
def api_audit(
    admin: Admin,
    session: DbSession,
    object_type: str | None = None,
    object_id: str | None = None,
    actor: str | None = None,
    limit: int = 100,
) -> list[AuditEventOut]:
    """Audit events, newest first (admins)."""
    events = service.list_events(
        session=session,
        principal=admin,
        object_type=object_type,
        object_id=object_id,
        actor_username=actor,
        limit=limit,
    )
    return [AuditEventOut.model_validate(e) for e in events]
