"""The events register: trainings, seminars and communication campaigns, each linked to the
plan activity it carries out. They feed the indicators (staff trained per province, events per
quarter) and the public portal's news."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, require_authenticated, require_role
from rarecare.audit import service as audit
from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.monitoring.models import Activity, Event
from rarecare.monitoring.schemas import EventIn
from rarecare.monitoring.service import EDITORS, organisation_by_code


def add_event(*, session: Session, principal: Principal | None, data: EventIn) -> Event:
    actor = require_role(principal, *EDITORS)
    organiser = organisation_by_code(session, data.organiser_code, "organiser_code")
    if data.activity_id is not None and session.get(Activity, data.activity_id) is None:
        raise ValidationFailed(
            _("Invalid event."), [FieldError("activity_id", N_("no such plan activity"))]
        )
    event = Event(
        **data.model_dump(exclude={"organiser_code"}),
        organiser_id=organiser.id,
        created_by=actor.username,
    )
    session.add(event)
    session.flush()
    audit.record(
        session=session, actor=actor, action="create", object_type="event", object_id=event.id
    )
    return event


def events(
    *,
    session: Session,
    principal: Principal | None,
    start: date | None = None,
    end: date | None = None,
) -> list[Event]:
    """Events held between ``start`` and ``end`` (inclusive), most recent first (all logged-in
    users: events are public information)."""
    require_authenticated(principal)
    query = select(Event).order_by(Event.held_on.desc())
    if start is not None:
        query = query.where(Event.held_on >= start)
    if end is not None:
        query = query.where(Event.held_on <= end)
    return list(session.scalars(query))


def public_events(*, session: Session, since: date, limit: int = 20) -> list[Event]:
    """The events of the register from ``since`` on, latest first, for the public portal's
    news (what, when, where, by whom: no personal data)."""
    query = select(Event).where(Event.held_on >= since).order_by(Event.held_on.desc()).limit(limit)
    return list(session.scalars(query))
