"""Referrals between centres, tracked end to end.

sent → accepted / declined → seen → diagnosis returned → (a back-referral near home) closed.
Access follows the referral: sending shares the record with the receiving centre, declining
(or the sender withdrawing it before an answer) takes that access back, an accepted referral
keeps it. Each step is audited, notifies the other centre and stamps its time (referral →
acceptance → first visit → diagnosis, for the indicators). A referral sets the patient's
insurance "has referral" flag."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rarecare import attachments as files
from rarecare.access import Principal, Role, centre_scope, require_role
from rarecare.audit import service as audit
from rarecare.centres import service as centres
from rarecare.diagnosis import DiagnosisEngine
from rarecare.errors import Conflict, FieldError, NotFound, ValidationFailed, require_reason
from rarecare.finance import service as finance
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase
from rarecare.network.models import (
    REFERRAL_LABELS,
    Referral,
    ReferralAttachment,
    ReferralKind,
    ReferralStatus,
)
from rarecare.network.notifications import notify
from rarecare.network.orpha import orpha_codes
from rarecare.network.schemas import BackReferralIn, OutcomeIn, ReferralIn
from rarecare.registry import service as registry
from rarecare.registry import suggest
from rarecare.storage import utcnow
from rarecare.storage.versioning import check_version

WRITERS = (Role.CLINICIAN, Role.DATA_MANAGER)
AWAITING_DAYS = 7  # a referral unanswered longer is flagged on both centres' worklists
SUGGESTIONS = 5
# the states in which the receiving centre sees the record
GRANTING = (
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.SEEN,
    ReferralStatus.DIAGNOSIS_RETURNED,
)
S = ReferralStatus


# --------------------------------------------------------------------------------- reading
def _visible(referral: Referral, actor: Principal) -> bool:
    scope = centre_scope(actor)
    return scope is None or scope in (referral.from_centre_id, referral.to_centre_id)


def get_referral(
    *, session: Session, principal: Principal | None, referral_id: int, action: str = "read"
) -> Referral:
    """A referral of the actor's centre (sending or receiving); another centre's: not found.
    Audited (it carries the patient's phenotype)."""
    actor = require_role(principal, *WRITERS, Role.ADMIN, Role.MINISTRY)
    referral = session.get(Referral, referral_id)
    if referral is None or not _visible(referral, actor):
        raise NotFound(_("No such referral."))
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type="referral",
        object_id=referral.id,
        centre_id=referral.from_centre_id,
    )
    return referral


def of_patient(*, session: Session, record: registry.PatientRecord) -> list[Referral]:
    """A (scoped, audited) patient's referrals the reader's centre took part in."""
    query = select(Referral).where(Referral.patient_id == record.id).order_by(Referral.sent_at)
    return [r for r in session.scalars(query) if _visible(r, record.actor)]


def worklist(
    *, session: Session, principal: Principal | None, now: datetime | None = None
) -> dict[str, list[Referral]]:
    """The centre's referrals: incoming to answer or see, outgoing still open, those waiting
    for an answer longer than a week, and the closed ones of the last 90 days."""
    actor = require_role(principal, *WRITERS, Role.ADMIN, Role.MINISTRY)
    scope = centre_scope(actor)
    now = now or utcnow()
    query = select(Referral).order_by(Referral.sent_at.desc())
    if scope is not None:
        query = query.where(or_(Referral.to_centre_id == scope, Referral.from_centre_id == scope))
    recent = now - timedelta(days=90)
    everything = [
        r
        for r in session.scalars(query.limit(2000))
        if r.is_open or (r.closed_at or r.responded_at or r.sent_at) >= recent
    ]

    def mine(referral: Referral, side: str) -> bool:
        return scope is None or getattr(referral, side) == scope

    late = now - timedelta(days=AWAITING_DAYS)
    out = {
        "incoming": [r for r in everything if r.is_open and mine(r, "to_centre_id")],
        "outgoing": [r for r in everything if r.is_open and mine(r, "from_centre_id")],
        "awaiting": [r for r in everything if r.status is S.SENT and r.sent_at < late],
        "closed": [r for r in everything if not r.is_open],
    }
    audit.record(
        session=session,
        actor=actor,
        action="read_referrals",
        object_type="referral",
        centre_id=scope,
        detail={"referrals": len(everything)},
    )
    return out


def is_awaiting(referral: Referral, now: datetime | None = None) -> bool:
    return referral.status is S.SENT and referral.sent_at < (now or utcnow()) - timedelta(
        days=AWAITING_DAYS
    )


# --------------------------------------------------------------------------------- sending
def _suspected(kb: KnowledgeBase, codes: Sequence[str]) -> list[str]:
    found, problems = orpha_codes(kb, codes, field="suspected")
    if problems:
        raise ValidationFailed(_("The referral was not sent."), problems)
    return found


def _snapshot(
    kb: KnowledgeBase, engine: DiagnosisEngine | None, record: registry.PatientRecord
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    patient = record.patient
    phenotypes = [
        {"hpo_id": p.hpo_id, "name": kb.term_name(p.hpo_id), "excluded": p.excluded}
        for p in patient.phenotypes
    ]
    suggestions: list[dict[str, Any]] = []
    ranking = suggest.suggestions(engine=engine, patient=patient) if engine else None
    for result in ranking.results[:SUGGESTIONS] if ranking else []:
        suggestions.append(
            {
                "rank": result.rank,
                "code": result.code,
                "orpha": next((c for c in result.codes if c.startswith("ORPHA:")), None),
                "name": result.name,
                "probability": round(result.probability, 4),
            }
        )
    return phenotypes, suggestions


def _sender(actor: Principal) -> int:
    if actor.centre_id is None:
        raise ValidationFailed(
            _("The referral was not sent."),
            [FieldError("from_centre", N_("only a centre's staff refer its patients"))],
        )
    return actor.centre_id


def _receiver(session: Session, code: str, sender: int) -> int:
    try:
        centre = centres.get_centre_by_code(session=session, code=code)
    except NotFound:
        raise ValidationFailed(
            _("The referral was not sent."),
            [FieldError("to_centre_code", N_("%(code)s is not a centre"), params={"code": code})],
        ) from None
    if centre.id == sender:
        raise ValidationFailed(
            _("The referral was not sent."),
            [FieldError("to_centre_code", N_("a referral goes to another centre"))],
        )
    return centre.id


def send(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    engine: DiagnosisEngine | None,
    patient_id: int,
    data: ReferralIn,
) -> Referral:
    """Refer a patient to a centre of expertise: the phenotype and the engine's top suggestions
    travel with it; the receiving centre sees the record from now."""
    actor = require_role(principal, *WRITERS)
    record = registry.open_record(
        session=session, principal=actor, patient_id=patient_id, action="refer"
    )
    sender = _sender(actor)
    receiver = _receiver(session, data.to_centre_code, sender)
    suspected = _suspected(kb, data.suspected)
    _no_open_referral(session, patient_id, receiver)
    phenotypes, suggestions = _snapshot(kb, engine, record)
    referral = Referral(
        patient_id=patient_id,
        kind=ReferralKind.EXPERT,
        from_centre_id=sender,
        to_centre_id=receiver,
        status=S.SENT,
        urgency=data.urgency,
        reason=data.reason.strip(),
        suspected=suspected,
        suggestions=suggestions,
        phenotypes=phenotypes,
        created_by=actor.username,
    )
    return _sent(session, actor, record, referral)


def _no_open_referral(session: Session, patient_id: int, receiver: int) -> None:
    open_one = session.scalar(
        select(Referral.id).where(
            Referral.patient_id == patient_id,
            Referral.to_centre_id == receiver,
            Referral.status.in_((S.SENT, S.ACCEPTED, S.SEEN)),
        )
    )
    if open_one is not None:
        raise Conflict(
            _("This patient already has an open referral to that centre (no. %(id)s).")
            % {"id": open_one}
        )


def _sent(
    session: Session, actor: Principal, record: registry.PatientRecord, referral: Referral
) -> Referral:
    session.add(referral)
    session.flush()
    registry.grant_access(session=session, patient=record.patient, centre_id=referral.to_centre_id)
    finance.note_referral(session=session, patient_id=record.id, username=actor.username)
    notify(
        session=session,
        centre_id=referral.to_centre_id,
        message=N_("New referral no. %(id)s (%(urgency)s) from %(centre)s"),
        link=f"/network/referrals/{referral.id}",
        id=referral.id,
        urgency=referral.urgency.value,
        centre=_centre_name(session, referral.from_centre_id),
    )
    _audit(session, actor, referral, "refer")
    return referral


def back_refer(
    *,
    session: Session,
    principal: Principal | None,
    referral_id: int,
    data: BackReferralIn,
) -> Referral:
    """After the diagnosis, refer the patient back near home for maintenance therapy; the
    referral it answers is then done."""
    actor = require_role(principal, *WRITERS)
    parent = get_referral(
        session=session, principal=actor, referral_id=referral_id, action="back_refer"
    )
    if parent.to_centre_id != actor.centre_id:
        raise NotFound(_("No such referral."))
    _require(parent, (S.SEEN, S.DIAGNOSIS_RETURNED), N_("back-referred"))
    record = registry.open_record(
        session=session, principal=actor, patient_id=parent.patient_id, action="refer"
    )
    receiver = _receiver(session, data.to_centre_code, parent.to_centre_id)
    _no_open_referral(session, parent.patient_id, receiver)
    referral = Referral(
        patient_id=parent.patient_id,
        kind=ReferralKind.BACK,
        from_centre_id=parent.to_centre_id,
        to_centre_id=receiver,
        parent_id=parent.id,
        status=S.SENT,
        urgency=parent.urgency,
        reason=data.reason.strip(),
        suspected=[parent.outcome_orpha] if parent.outcome_orpha else list(parent.suspected),
        phenotypes=list(parent.phenotypes),
        drug=data.drug.strip(),
        created_by=actor.username,
    )
    parent.status = S.CLOSED
    parent.closed_at = utcnow()
    return _sent(session, actor, record, referral)


# ------------------------------------------------------------------------------- answering
def _require(referral: Referral, states: tuple[ReferralStatus, ...], doing: str) -> None:
    if referral.status not in states:
        raise Conflict(
            _("This referral is %(status)s; it cannot be %(action)s.")
            % {"status": _(REFERRAL_LABELS[referral.status.value]), "action": _(doing)}
        )


def _as_receiver(
    session: Session, principal: Principal | None, referral_id: int, action: str
) -> tuple[Principal, Referral]:
    actor = require_role(principal, *WRITERS)
    referral = get_referral(
        session=session, principal=actor, referral_id=referral_id, action=action
    )
    if referral.to_centre_id != actor.centre_id:
        raise ValidationFailed(
            _("Only the receiving centre answers a referral."),
            [FieldError("referral", N_("your centre sent this referral"))],
        )
    return actor, referral


def accept(
    *, session: Session, principal: Principal | None, referral_id: int, version: int | None = None
) -> Referral:
    actor, referral = _as_receiver(session, principal, referral_id, "accept_referral")
    check_version(referral, version, {"status": S.ACCEPTED})
    _require(referral, (S.SENT,), N_("accepted"))
    referral.status = S.ACCEPTED
    referral.responded_at = utcnow()
    _tell_sender(session, referral, N_("Referral no. %(id)s was accepted by %(centre)s"))
    _audit(session, actor, referral, "accept_referral")
    return referral


def decline(
    *,
    session: Session,
    principal: Principal | None,
    referral_id: int,
    reason: str,
    version: int | None = None,
) -> Referral:
    """Decline with a reason: the receiving centre no longer sees the record."""
    actor, referral = _as_receiver(session, principal, referral_id, "decline_referral")
    reason = require_reason(reason)
    check_version(referral, version, {"status": S.DECLINED})
    _require(referral, (S.SENT,), N_("declined"))
    referral.status = S.DECLINED
    referral.decline_reason = reason.strip()
    referral.responded_at = referral.closed_at = utcnow()
    _revoke_unless_other(session, referral)
    _tell_sender(session, referral, N_("Referral no. %(id)s was declined by %(centre)s"))
    _audit(session, actor, referral, "decline_referral", reason=referral.decline_reason)
    return referral


def withdraw(
    *, session: Session, principal: Principal | None, referral_id: int, reason: str
) -> Referral:
    """The sender takes back a referral not yet answered: the other centre loses access."""
    actor = require_role(principal, *WRITERS)
    referral = get_referral(
        session=session, principal=actor, referral_id=referral_id, action="withdraw_referral"
    )
    if referral.from_centre_id != actor.centre_id:
        raise NotFound(_("No such referral."))
    reason = require_reason(reason)
    _require(referral, (S.SENT,), N_("withdrawn"))
    referral.status = S.CLOSED
    referral.closed_at = utcnow()
    _revoke_unless_other(session, referral)
    notify(
        session=session,
        centre_id=referral.to_centre_id,
        message=N_("Referral no. %(id)s was withdrawn by %(centre)s"),
        link="/network",
        id=referral.id,
        centre=_centre_name(session, referral.from_centre_id),
    )
    _audit(session, actor, referral, "withdraw_referral", reason=reason.strip())
    return referral


def mark_seen(
    *,
    session: Session,
    principal: Principal | None,
    referral_id: int,
    seen_on: date,
    version: int | None = None,
    today: date | None = None,
) -> Referral:
    """The patient's first visit at the receiving centre."""
    actor, referral = _as_receiver(session, principal, referral_id, "referral_seen")
    check_version(referral, version, {"seen_on": seen_on})
    _require(referral, (S.ACCEPTED,), N_("marked seen"))
    if seen_on < referral.sent_at.date() or seen_on > (today or date.today()):
        raise ValidationFailed(
            _("The visit was not recorded."),
            [FieldError("seen_on", N_("between the referral's date and today"))],
        )
    referral.status = S.SEEN
    referral.seen_on = seen_on
    _tell_sender(session, referral, N_("The patient of referral no. %(id)s was seen at %(centre)s"))
    _audit(session, actor, referral, "referral_seen")
    return referral


def return_diagnosis(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    referral_id: int,
    data: OutcomeIn,
) -> Referral:
    """The receiving centre's conclusion, sent back to the referring centre."""
    actor, referral = _as_receiver(session, principal, referral_id, "return_diagnosis")
    orpha = _suspected(kb, [data.orpha_code])[0] if data.orpha_code else None
    check_version(referral, data.version, {"outcome": data.outcome})
    _require(referral, (S.SEEN,), N_("answered with a diagnosis"))
    referral.status = S.DIAGNOSIS_RETURNED
    referral.outcome = data.outcome.strip()
    referral.outcome_orpha = orpha
    referral.diagnosis_returned_at = utcnow()
    _tell_sender(session, referral, N_("%(centre)s returned a diagnosis for referral no. %(id)s"))
    _audit(session, actor, referral, "return_diagnosis", orpha=orpha)
    return referral


def _revoke_unless_other(session: Session, referral: Referral) -> None:
    """The receiving centre's access ends unless another referral still grants it."""
    others = session.scalar(
        select(Referral.id).where(
            Referral.patient_id == referral.patient_id,
            Referral.to_centre_id == referral.to_centre_id,
            Referral.id != referral.id,
            Referral.status.in_(GRANTING),
        )
    )
    if others is None:
        registry.revoke_access(
            session=session, patient_id=referral.patient_id, centre_id=referral.to_centre_id
        )


# ------------------------------------------------------------------------------ attachments
def attach(
    *,
    session: Session,
    principal: Principal | None,
    referral_id: int,
    filename: str,
    content: bytes,
) -> ReferralAttachment:
    """A letter, report or image added by either centre while the referral is open."""
    actor = require_role(principal, *WRITERS)
    referral = get_referral(
        session=session, principal=actor, referral_id=referral_id, action="attach"
    )
    _require(referral, (S.SENT, S.ACCEPTED, S.SEEN), N_("given an attachment"))
    name, media_type = files.checked(filename, content)
    attachment = ReferralAttachment(
        referral_id=referral.id,
        filename=name,
        media_type=media_type,
        size=len(content),
        content=content,
        uploaded_by=actor.username,
    )
    referral.attachments.append(attachment)
    session.flush()
    _audit(session, actor, referral, "attach", filename=name, size=len(content))
    return attachment


def attachment(
    *, session: Session, principal: Principal | None, referral_id: int, attachment_id: int
) -> ReferralAttachment:
    referral = get_referral(
        session=session, principal=principal, referral_id=referral_id, action="read_attachment"
    )
    for item in referral.attachments:
        if item.id == attachment_id:
            return item
    raise NotFound(_("No such attachment."))


# -------------------------------------------------------------------------------- timings
STEPS = ("to_answer", "to_visit", "to_diagnosis")


def _days(start: datetime, end: datetime | date) -> int:
    return ((end.date() if isinstance(end, datetime) else end) - start.date()).days


def median_days(
    rows: list[Referral],
) -> dict[str, tuple[int, float | None]]:
    """(how many, median days) from sending to the answer, the first visit and the diagnosis."""
    spans: dict[str, list[int]] = {step: [] for step in STEPS}
    for r in rows:
        for step, end in zip(
            STEPS, (r.responded_at, r.seen_on, r.diagnosis_returned_at), strict=True
        ):
            if end is not None:
                spans[step].append(_days(r.sent_at, end))
    return {
        step: (len(values), float(median(values)) if values else None)
        for step, values in spans.items()
    }


def received(*, session: Session, first: date, last: date) -> list[Referral]:
    """Referrals to centres of expertise sent in a period (for the indicators: no patient data
    leaves, only the receiving centre and the times)."""
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return list(
        session.scalars(
            select(Referral).where(
                Referral.kind == ReferralKind.EXPERT,
                Referral.sent_at >= start,
                Referral.sent_at < end,
            )
        )
    )


def timings(
    *, session: Session, principal: Principal | None, since: date | None = None
) -> dict[str, float | int | None]:
    """Median days referral → answer → first visit → diagnosis of the referrals the reader's
    centre received (national roles: all), and how many were counted."""
    actor = require_role(principal, *WRITERS, Role.ADMIN, Role.MINISTRY)
    scope = centre_scope(actor)
    query = select(Referral).where(Referral.kind == ReferralKind.EXPERT)
    if scope is not None:
        query = query.where(Referral.to_centre_id == scope)
    if since is not None:
        query = query.where(
            Referral.sent_at >= datetime(since.year, since.month, since.day, tzinfo=UTC)
        )
    rows = list(session.scalars(query))
    out: dict[str, float | int | None] = {"referrals": len(rows)}
    out.update({step: value for step, (_n, value) in median_days(rows).items()})
    return out


# ---------------------------------------------------------------------------------- shared
def _centre_name(session: Session, centre_id: int) -> str:
    return centres.get_centre(session=session, centre_id=centre_id).name


def _tell_sender(session: Session, referral: Referral, message: str) -> None:
    notify(
        session=session,
        centre_id=referral.from_centre_id,
        message=message,
        link=f"/network/referrals/{referral.id}",
        id=referral.id,
        centre=_centre_name(session, referral.to_centre_id),
    )


def _audit(
    session: Session, actor: Principal, referral: Referral, action: str, **detail: Any
) -> None:
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type="referral",
        object_id=referral.id,
        centre_id=referral.from_centre_id,
        detail={
            "patient_id": referral.patient_id,
            "to_centre_id": referral.to_centre_id,
            "status": referral.status.value,
            **detail,
        },
    )
