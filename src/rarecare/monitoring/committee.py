"""The steering committee: members and their terms, meetings (agenda, minutes, attendance)
and the decisions taken, each followed up by plan activities."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rarecare.access import Principal, require_role
from rarecare.audit import service as audit
from rarecare.errors import FieldError, NotFound, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.monitoring.models import Activity, CommitteeMember, Decision, Meeting
from rarecare.monitoring.schemas import MeetingIn, MemberIn
from rarecare.monitoring.service import EDITORS, READERS, organisation_by_code

MAX_MINUTES_BYTES = 20 * 1024 * 1024


def add_member(*, session: Session, principal: Principal | None, data: MemberIn) -> CommitteeMember:
    actor = require_role(principal, *EDITORS)
    if data.term_end is not None and data.term_end < data.term_start:
        raise ValidationFailed(
            _("Invalid member."), [FieldError("term_end", N_("before the start of the term"))]
        )
    org = organisation_by_code(session, data.organisation_code, "organisation_code")
    member = CommitteeMember(
        **data.model_dump(exclude={"organisation_code"}), organisation_id=org.id
    )
    session.add(member)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="committee_member",
        object_id=member.id,
    )
    return member


def members(
    *, session: Session, principal: Principal | None, on: date | None = None
) -> list[CommitteeMember]:
    """The committee (serving on ``on`` when given), chair first."""
    require_role(principal, *READERS)
    query = select(CommitteeMember).order_by(CommitteeMember.role, CommitteeMember.name)
    if on is not None:
        query = query.where(
            CommitteeMember.term_start <= on,
            (CommitteeMember.term_end.is_(None)) | (CommitteeMember.term_end >= on),
        )
    return list(session.scalars(query))


def add_meeting(*, session: Session, principal: Principal | None, data: MeetingIn) -> Meeting:
    actor = require_role(principal, *EDITORS)
    known = set(session.scalars(select(CommitteeMember.id)))
    unknown = [m for m in data.attendance if m not in known]
    if unknown:
        raise ValidationFailed(
            _("Invalid meeting."),
            [
                FieldError("attendance", N_("no committee member %(name)s"), params={"name": m})
                for m in unknown
            ],
        )
    meeting = Meeting(
        held_on=data.held_on,
        title=data.title,
        agenda=data.agenda,
        attendance=sorted(set(data.attendance)),
        created_by=actor.username,
        decisions=[Decision(text=text.strip()) for text in data.decisions if text.strip()],
    )
    session.add(meeting)
    session.flush()
    audit.record(
        session=session, actor=actor, action="create", object_type="meeting", object_id=meeting.id
    )
    return meeting


def meetings(*, session: Session, principal: Principal | None) -> list[Meeting]:
    require_role(principal, *READERS)
    return list(
        session.scalars(
            select(Meeting)
            .options(selectinload(Meeting.decisions))
            .order_by(Meeting.held_on.desc())
        )
    )


def get_meeting(*, session: Session, principal: Principal | None, meeting_id: int) -> Meeting:
    require_role(principal, *READERS)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    return meeting


def follow_up(*, session: Session, decision_ids: list[int]) -> dict[int, list[Activity]]:
    """The plan activities following up each decision."""
    rows = session.scalars(
        select(Activity).where(Activity.decision_id.in_(decision_ids)).order_by(Activity.deadline)
    )
    out: dict[int, list[Activity]] = {d: [] for d in decision_ids}
    for activity in rows:
        assert activity.decision_id is not None
        out[activity.decision_id].append(activity)
    return out


def add_decision(
    *, session: Session, principal: Principal | None, meeting_id: int, text: str
) -> Decision:
    actor = require_role(principal, *EDITORS)
    meeting = get_meeting(session=session, principal=actor, meeting_id=meeting_id)
    if not text.strip():
        raise ValidationFailed(_("Invalid decision."), [FieldError("text", N_("empty"))])
    decision = Decision(meeting=meeting, text=text.strip())
    session.add(decision)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="decision",
        object_id=decision.id,
    )
    return decision


def attach_minutes(
    *,
    session: Session,
    principal: Principal | None,
    meeting_id: int,
    content: bytes,
    filename: str,
    storage_dir: Path,
) -> Meeting:
    """The signed minutes, as a PDF (checked: size and the file's own signature)."""
    actor = require_role(principal, *EDITORS)
    meeting = get_meeting(session=session, principal=actor, meeting_id=meeting_id)
    problems = []
    if len(content) > MAX_MINUTES_BYTES:
        problems.append(
            FieldError("file", N_("larger than %(n)s MB"), params={"n": MAX_MINUTES_BYTES // 2**20})
        )
    if not content.startswith(b"%PDF-"):
        problems.append(FieldError("file", N_("the content is not a PDF document")))
    if problems:
        raise ValidationFailed(_("The attachment was refused."), problems)
    digest = hashlib.sha256(content).hexdigest()
    storage_dir.mkdir(parents=True, exist_ok=True)
    if not (storage_dir / digest).exists():
        (storage_dir / digest).write_bytes(content)
    meeting.minutes_sha256 = digest
    meeting.minutes_file = (Path(filename).stem[:140] or "minutes") + ".pdf"
    audit.record(
        session=session,
        actor=actor,
        action="attach_minutes",
        object_type="meeting",
        object_id=meeting.id,
        detail={"sha256": digest},
    )
    return meeting
