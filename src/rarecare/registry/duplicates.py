"""The duplicate worklist: records flagged at registration as possibly the same person as an
earlier record (same keyed national ID or name and birth date at another centre, or a
near-homonym), to be reviewed by a person and marked as distinct people — never merged or
refused automatically. A centre sees that a possible duplicate exists elsewhere, never which
record it is; national roles see both pseudonyms. Every review is audited with its reason."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_authenticated, require_role
from rarecare.audit import service as audit
from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import _
from rarecare.registry.models import Patient
from rarecare.registry.service import WRITERS, get, scoped

REVIEWERS = (*WRITERS, Role.ADMIN)


def worklist(
    *, session: Session, principal: Principal | None, limit: int = 200
) -> Sequence[Patient]:
    """The flagged records the principal may see, oldest flag first."""
    actor = require_authenticated(principal)
    patients = session.scalars(
        scoped(
            select(Patient)
            .where(Patient.possible_duplicate_of.is_not(None))
            .order_by(Patient.created_at, Patient.id)
            .limit(limit),
            actor,
        )
    ).all()
    audit.record(
        session=session,
        actor=actor,
        action="worklist",
        object_type="patient",
        detail={"duplicates": [p.pseudonym for p in patients]},
    )
    return patients


def mark_distinct(
    *, session: Session, principal: Principal | None, patient_id: int, reason: str
) -> Patient:
    """Record that a flagged record is another person than the earlier one (with why)."""
    actor = require_role(principal, *REVIEWERS)
    if len(reason.strip()) < 5:
        raise ValidationFailed(
            _("A reason is required."), [FieldError("reason", "say why (at least 5 characters)")]
        )
    patient = get(session=session, principal=actor, patient_id=patient_id, action="update")
    if patient.possible_duplicate_of is None:
        raise ValidationFailed(
            _("This record is not flagged as a possible duplicate."),
            [FieldError("patient", "not flagged")],
        )
    other = patient.possible_duplicate_of
    patient.possible_duplicate_of = None
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="mark_distinct",
        object_type="patient",
        object_id=patient.id,
        centre_id=patient.centre_id,
        detail={"earlier_record": other, "reason": reason.strip()},
    )
    return patient
