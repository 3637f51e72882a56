"""The diagnostic-delay clock: onset → first specialist contact → confirmed diagnosis, and the
worklist of patients undiagnosed a year after first contact (the IRDiRC one-year goal)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, require_authenticated
from rarecare.audit import service as audit
from rarecare.registry.models import DiagnosticStatus, Patient
from rarecare.registry.schemas import DelayOut
from rarecare.registry.service import scoped


def delay(patient: Patient, today: date | None = None) -> DelayOut:
    """Onset → first specialist contact → confirmed diagnosis, in days."""
    today = today or date.today()
    onset = patient.onset_date or patient.first_symptoms_date
    if patient.onset_kind.value == "at_birth" and onset is None:
        onset = patient.birth_month
    confirmed = (
        patient.diagnosis_date if patient.diagnostic_status is DiagnosticStatus.CONFIRMED else None
    )

    def days(a: date | None, b: date | None) -> int | None:
        return (b - a).days if a is not None and b is not None else None

    return DelayOut(
        onset_to_first_contact_days=days(onset, patient.first_contact_date),
        first_contact_to_diagnosis_days=days(patient.first_contact_date, confirmed),
        onset_to_diagnosis_days=days(onset, confirmed),
        undiagnosed_after_one_year=confirmed is None
        and patient.first_contact_date is not None
        and patient.first_contact_date <= today - timedelta(days=365),
    )


def undiagnosed_worklist(
    *, session: Session, principal: Principal | None, today: date | None = None, limit: int = 200
) -> Sequence[Patient]:
    """Patients still without a confirmed diagnosis a year after first specialist contact
    (the IRDiRC one-year goal), oldest first."""
    actor = require_authenticated(principal)
    cutoff = (today or date.today()) - timedelta(days=365)
    query = scoped(
        select(Patient)
        .where(
            Patient.diagnostic_status != DiagnosticStatus.CONFIRMED,
            Patient.first_contact_date <= cutoff,
        )
        .order_by(Patient.first_contact_date)
        .limit(limit),
        actor,
    )
    patients = session.scalars(query).all()
    audit.record(
        session=session,
        actor=actor,
        action="worklist",
        object_type="patient",
        detail={"returned": [p.pseudonym for p in patients]},
    )
    return patients
