"""In-app notifications to a centre's staff: a catalogue message and its parameters, stored
once and shown in each reader's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from rarecare.access import Principal, require_authenticated
from rarecare.i18n import gettext
from rarecare.network.models import Notification
from rarecare.storage import utcnow


def notify(
    *, session: Session, centre_id: int, message: str, link: str = "", **params: Any
) -> None:
    """Tell a centre's staff (``message`` is a catalogue message marked ``N_``)."""
    session.add(Notification(centre_id=centre_id, message=message, params=params, link=link))


def text_of(notification: Notification) -> str:
    translated = gettext(notification.message)
    return translated % notification.params if notification.params else translated


def unread_count(*, session: Session, principal: Principal | None) -> int:
    actor = require_authenticated(principal)
    if actor.centre_id is None:
        return 0
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.centre_id == actor.centre_id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent(*, session: Session, principal: Principal | None, limit: int = 50) -> list[Notification]:
    """The centre's latest notifications (a user without a centre has none)."""
    actor = require_authenticated(principal)
    if actor.centre_id is None:
        return []
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.centre_id == actor.centre_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(*, session: Session, principal: Principal | None, now: datetime | None = None) -> int:
    """Mark every notification of the reader's centre read; how many were unread."""
    actor = require_authenticated(principal)
    if actor.centre_id is None:
        return 0
    result = session.execute(
        update(Notification)
        .where(Notification.centre_id == actor.centre_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
