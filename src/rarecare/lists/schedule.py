"""Lists that take effect later: a version approved with a future effective date is
"approved, scheduled"; the list in force stays in force until that date, then the new one is —
for every reader at once, as ``in_force`` compares dates — and the scheduler marks the statuses
(``activate_due``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ScalarSelect, or_, select
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM
from rarecare.audit import service as audit
from rarecare.lists.models import ListKind, ListVersion, VersionStatus

DECIDED = (VersionStatus.APPROVED, VersionStatus.SCHEDULED)


def in_force(kind: ListKind, on: date | None = None) -> ScalarSelect[int]:
    """The id of the version in force on a day (today): the approved or scheduled version of
    the latest effective date not after it. A scheduled version is in force from its date even
    before the scheduler marks it approved, so no reader ever sees the old list on the day."""
    return (
        select(ListVersion.id)
        .where(
            ListVersion.kind == kind,
            ListVersion.status.in_(DECIDED),
            or_(
                ListVersion.effective_from.is_(None),
                ListVersion.effective_from <= (on or date.today()),
            ),
        )
        .order_by(ListVersion.effective_from.desc().nulls_last(), ListVersion.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def with_status(session: Session, kind: ListKind, status: VersionStatus) -> list[ListVersion]:
    """The versions of a list that have a status (one approved, one scheduled at most)."""
    return list(
        session.scalars(
            select(ListVersion).where(ListVersion.kind == kind, ListVersion.status == status)
        )
    )


def scheduled_version(session: Session, kind: ListKind) -> ListVersion | None:
    """The version of a list approved to take effect later, if any (one at a time)."""
    return next(iter(with_status(session, kind, VersionStatus.SCHEDULED)), None)


def activate_due(*, session: Session, today: date | None = None) -> list[ListVersion]:
    """Mark the scheduled versions whose effective date has come as approved and the ones they
    replace as superseded (the scheduler, and ``rarecare lists activate``). Readers already
    saw them in force from the date (``in_force``); this makes the statuses say so."""
    today = today or date.today()
    due = session.scalars(
        select(ListVersion)
        .where(ListVersion.status == VersionStatus.SCHEDULED, ListVersion.effective_from <= today)
        .order_by(ListVersion.effective_from)
    ).all()
    for version in due:
        for older in with_status(session, version.kind, VersionStatus.APPROVED):
            older.status = VersionStatus.SUPERSEDED
        version.status = VersionStatus.APPROVED
        session.flush()
        audit.record(
            session=session,
            actor=SYSTEM,
            action="activate",
            object_type=f"list:{version.kind.value}",
            object_id=version.id,
            detail={
                "effective_from": version.effective_from.isoformat()
                if version.effective_from
                else None
            },
        )
    return list(due)
