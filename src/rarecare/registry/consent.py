"""Consent per purpose, with its history: given (date, form version, who recorded it) and
withdrawn (date, who). Every path that releases data for a purpose (research extracts, Beacon
counts, similar-patient matching across centres) filters with :func:`current_clause`, so a
withdrawal takes the patient out of all of them at once.

The record's JRC elements "consent to reuse" and "contact for research" are the current state
of the research and recontact consents, kept in step here whichever way they change (the
consent page, the record form, an import)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.errors import Conflict, FieldError, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.registry.models import CONSENT_LABELS, Consent, ConsentPurpose, Patient
from rarecare.storage import in_chunks, utcnow

if TYPE_CHECKING:
    from rarecare.registry.service import PatientRecord

WRITERS = (Role.CLINICIAN, Role.DATA_MANAGER)
# the record elements that mirror a purpose's current consent
FLAGS: dict[ConsentPurpose, str] = {
    ConsentPurpose.RESEARCH: "consent_reuse",
    ConsentPurpose.RECONTACT: "contact_for_research",
}
__all__ = ["CONSENT_LABELS", "ConsentPurpose"]


def current_clause(
    purpose: ConsentPurpose,
    patient_id: ColumnElement[int] | InstrumentedAttribute[int] | None = None,
) -> ColumnElement[bool]:
    """SQL: the patient (``Patient.id`` or the given column) holds a current consent for
    ``purpose``."""
    column = Patient.id if patient_id is None else patient_id
    return column.in_(
        select(Consent.patient_id).where(Consent.purpose == purpose, Consent.withdrawn_on.is_(None))
    )


def current_purposes(*, session: Session, patient_ids: Sequence[int]) -> dict[int, set[str]]:
    """The purposes each patient currently consents to."""
    out: dict[int, set[str]] = defaultdict(set)
    for chunk in in_chunks(list(patient_ids)):
        rows = session.execute(
            select(Consent.patient_id, Consent.purpose).where(
                Consent.patient_id.in_(chunk), Consent.withdrawn_on.is_(None)
            )
        )
        for pid, purpose in rows:
            out[pid].add(str(purpose))
    return out


def history(*, session: Session, patient_id: int) -> list[Consent]:
    """Every consent of a patient (the caller has opened the record: scoped and audited),
    newest first."""
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.patient_id == patient_id)
            .order_by(Consent.given_on.desc(), Consent.id.desc())
        )
    )


def of_patients(
    *, session: Session, patient_ids: Sequence[int], current_only: bool = False
) -> dict[int, list[Consent]]:
    """The consent rows of each patient, oldest first (exports): all, or the current ones."""
    out: dict[int, list[Consent]] = defaultdict(list)
    for chunk in in_chunks(list(patient_ids)):
        query = select(Consent).where(Consent.patient_id.in_(chunk)).order_by(Consent.id)
        if current_only:
            query = query.where(Consent.withdrawn_on.is_(None))
        for row in session.scalars(query):
            out[row.patient_id].append(row)
    return out


def _current(session: Session, patient_id: int, purpose: ConsentPurpose) -> Consent | None:
    return session.scalars(
        select(Consent).where(
            Consent.patient_id == patient_id,
            Consent.purpose == purpose,
            Consent.withdrawn_on.is_(None),
        )
    ).first()


def _check_date(field: str, day: date, today: date) -> None:
    if day > today:
        raise ValidationFailed(
            _("Invalid consent."), [FieldError(field, N_("must not be in the future"))]
        )


def _audit(session: Session, actor: Principal, patient: Patient, action: str, row: Consent) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type="patient",
        object_id=patient.pseudonym,
        centre_id=patient.centre_id,
        detail={
            "purpose": row.purpose.value,
            "given_on": row.given_on.isoformat(),
            "form_version": row.form_version,
            "withdrawn_on": row.withdrawn_on.isoformat() if row.withdrawn_on else None,
        },
    )


def _add(
    session: Session,
    actor: Principal,
    patient: Patient,
    purpose: ConsentPurpose,
    given_on: date,
    form_version: str,
) -> Consent:
    row = Consent(
        patient_id=patient.id,
        purpose=purpose,
        given_on=given_on,
        form_version=form_version.strip()[:40],
        recorded_by=actor.username,
    )
    session.add(row)
    flag = FLAGS.get(purpose)
    if flag is not None and not getattr(patient, flag):
        setattr(patient, flag, True)
    session.flush()
    _audit(session, actor, patient, "give_consent", row)
    return row


def _withdraw(
    session: Session, actor: Principal, patient: Patient, row: Consent, withdrawn_on: date
) -> Consent:
    row.withdrawn_on = withdrawn_on
    row.withdrawn_by = actor.username
    row.withdrawn_at = utcnow()
    flag = FLAGS.get(row.purpose)
    if flag is not None and getattr(patient, flag):
        setattr(patient, flag, False)
    session.flush()
    _audit(session, actor, patient, "withdraw_consent", row)
    return row


def give(
    *,
    session: Session,
    record: PatientRecord,
    purpose: ConsentPurpose,
    given_on: date,
    form_version: str = "",
    today: date | None = None,
) -> Consent:
    """Record a consent (refused while one for the purpose is current: withdraw it first)."""
    actor = require_role(record.actor, *WRITERS)
    _check_date("given_on", given_on, today or date.today())
    if _current(session, record.id, purpose) is not None:
        raise Conflict(
            _("This patient already consents to that purpose."),
            [FieldError("purpose", N_("a consent for this purpose is current"))],
        )
    return _add(session, actor, record.patient, purpose, given_on, form_version)


def withdraw(
    *,
    session: Session,
    record: PatientRecord,
    purpose: ConsentPurpose,
    withdrawn_on: date,
    today: date | None = None,
) -> Consent:
    """Withdraw the current consent for ``purpose``: from now on no release path for that
    purpose includes the patient."""
    actor = require_role(record.actor, *WRITERS)
    _check_date("withdrawn_on", withdrawn_on, today or date.today())
    row = _current(session, record.id, purpose)
    if row is None:
        raise Conflict(
            _("This patient has no current consent for that purpose."),
            [FieldError("purpose", N_("no consent for this purpose is current"))],
        )
    if withdrawn_on < row.given_on:
        raise ValidationFailed(
            _("Invalid consent."),
            [FieldError("withdrawn_on", N_("must not be before the consent was given"))],
        )
    return _withdraw(session, actor, record.patient, row, withdrawn_on)


def follow_flags(*, session: Session, actor: Principal, patient: Patient, on: date) -> None:
    """Make the consents match the record's research and recontact elements after a
    registration or an edit of the record form: a ticked element without a current consent
    records one (given ``on``), an unticked one withdraws it (``on``)."""
    for purpose, flag in FLAGS.items():
        wanted = bool(getattr(patient, flag))
        row = _current(session, patient.id, purpose)
        if wanted and row is None:
            _add(session, actor, patient, purpose, on, "")
        elif not wanted and row is not None:
            _withdraw(session, actor, patient, row, max(on, row.given_on))
