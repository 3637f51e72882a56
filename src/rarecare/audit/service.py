"""The one audit writer. Every read or write of a patient record goes through :func:`record`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from rarecare.access import Principal, Role, require_role
from rarecare.audit.models import AuditEvent
from rarecare.audit.schemas import AuditFilters
from rarecare.context import AUDIT_SESSIONS, request_id_var


def record(
    *,
    session: Session,
    actor: Principal,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    centre_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event (flushed with the caller's transaction, so it commits or rolls back
    with the change it describes). A page or call that reads the same record the same way
    several times in one transaction (e.g. the therapy tab's plans for its schedule, alerts and
    adherence) records that read once, the first event returned again; writes, and reads that
    name what they returned, are always recorded. A reading request on SQLite (whose session
    holds no lock) writes its events in short transactions of their own."""
    # a read that names what it returned (detail) is always recorded
    repeatable = action.startswith("read") and object_id is not None and detail is None
    if repeatable:
        key = (
            actor.user_id,
            actor.username,
            action,
            object_type,
            str(object_id),
            request_id_var.get(),
        )
        transaction = session.get_transaction()
        marker, seen = session.info.get("audited_reads", (None, {}))
        if marker is not transaction:
            seen = {}
            session.info["audited_reads"] = (transaction, seen)
        if key in seen:
            earlier: AuditEvent = seen[key]
            return earlier
    event = AuditEvent(
        actor_user_id=actor.user_id or None,
        actor_username=actor.username,
        actor_role=actor.role.value,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        centre_id=centre_id,
        request_id=request_id_var.get(),
        detail=detail,
    )
    writer = session.info.get(AUDIT_SESSIONS)
    if writer is not None:  # a session that must not write: a short transaction of its own
        with writer.begin() as own:
            own.add(event)
    else:
        session.add(event)
        session.flush()
    if repeatable:
        seen[key] = event
    return event


def list_events(
    *,
    session: Session,
    principal: Principal | None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_username: str | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """The newest events first; admins only."""
    require_role(principal, Role.ADMIN)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(min(limit, 1000))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    if actor_username:
        query = query.where(AuditEvent.actor_username == actor_username)
    return list(session.scalars(query))


def count(*, session: Session, action: str, object_type: str, object_id: str | int) -> int:
    """How many times ``action`` was recorded on one object (say, an extract's downloads): a
    number for a page its reader may see, no event itself."""
    query = (
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == str(object_id),
        )
    )
    return int(session.scalar(query) or 0)


def find_events(
    *,
    session: Session,
    principal: Principal | None,
    filters: AuditFilters,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditEvent], int]:
    """A page of the events matching ``filters``, newest first, and how many match in all;
    admins only."""
    require_role(principal, Role.ADMIN)
    conditions = _conditions(filters)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    query = (
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.id.desc())
        .offset(max(offset, 0))
        .limit(min(max(limit, 1), 500))
    )
    return list(session.scalars(query)), total


def iter_events(
    *, session: Session, principal: Principal | None, filters: AuditFilters, batch: int = 2000
) -> Iterator[AuditEvent]:
    """Every event matching ``filters``, newest first, read in batches (for an export);
    admins only."""
    require_role(principal, Role.ADMIN)
    conditions = _conditions(filters)
    below: int | None = None
    while True:
        query = select(AuditEvent).where(*conditions).order_by(AuditEvent.id.desc()).limit(batch)
        if below is not None:
            query = query.where(AuditEvent.id < below)
        rows = list(session.scalars(query))
        yield from rows
        if len(rows) < batch:
            return
        below = rows[-1].id


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if filters.actor:
        out.append(AuditEvent.actor_username == filters.actor.strip())
    if filters.action:
        out.append(AuditEvent.action == filters.action.strip())
    if filters.object_type:
        out.append(AuditEvent.object_type == filters.object_type.strip())
    if filters.object_id:
        out.append(AuditEvent.object_id == filters.object_id.strip())
    if filters.since:
        out.append(AuditEvent.at >= datetime.combine(filters.since, time.min, tzinfo=UTC))
    if filters.until:
        next_day = filters.until + timedelta(days=1)
        out.append(AuditEvent.at < datetime.combine(next_day, time.min, tzinfo=UTC))
    return out
