"""What a record shows to whom: a centre learns that a possible duplicate exists elsewhere, never
which record it is; a ministry user sees quasi-identifiers coarsened (birth year, region, event
dates to the month) wherever fewer than five records share a record's disease, province, birth
month and sex, so that no record-level view singles a patient out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, centre_scope, require_authenticated
from rarecare.geo import region_of
from rarecare.registry.models import Patient
from rarecare.registry.schemas import PatientOut


def patient_out(patient: Patient, principal: Principal | None) -> PatientOut:
    """The record as ``principal`` may see it: a centre learns that a possible duplicate at
    another centre exists, never that record's id."""
    out = PatientOut.model_validate(patient)
    if out.possible_duplicate_of is None:
        return out
    hidden = centre_scope(principal) is not None
    return out.model_copy(
        update={
            "possible_duplicate": True,
            "possible_duplicate_of": None if hidden else out.possible_duplicate_of,
        }
    )


K_ANONYMITY = 5  # a national view shows exact quasi-identifiers only in groups this large
_EVENT_DATES = (
    "death_date",
    "first_contact_date",
    "first_symptoms_date",
    "onset_date",
    "diagnosis_date",
)


def to_coarsen(
    *, session: Session, principal: Principal | None, patients: Sequence[Patient]
) -> set[int]:
    """The records a ministry user sees coarsened: those sharing their disease, province, birth
    month and sex with fewer than ``K_ANONYMITY`` records (a centre sees its own patients as
    they are; administrators work on records, not statistics)."""
    actor = require_authenticated(principal)
    if actor.role is not Role.MINISTRY or not patients:
        return set()
    key = (Patient.orpha_code, Patient.province_code, Patient.birth_month, Patient.sex)
    # only the groups of the records shown: one indexed lookup (ix_registry_patients_quasi)
    # per distinct (province, birth month, sex) among them, not a scan of the registry
    shown = {(p.province_code, p.birth_month, p.sex) for p in patients}
    sizes = {
        tuple(row[:4]): row[4]
        for row in session.execute(
            select(*key, func.count())
            .where(
                or_(
                    *(
                        and_(
                            Patient.province_code == province,
                            Patient.birth_month == born,
                            Patient.sex == sex,
                        )
                        for province, born, sex in shown
                    )
                )
            )
            .group_by(*key)
        )
    }
    return {
        p.id
        for p in patients
        if sizes.get((p.orpha_code, p.province_code, p.birth_month, p.sex), 0) < K_ANONYMITY
    }


def coarse(values: dict[str, Any]) -> dict[str, Any]:
    """A record's quasi-identifiers coarsened: the birth year, the region, dates to the month."""
    born = values.get("birth_month")
    out = {
        **values,
        "coarsened": True,
        "region": region_of(values.get("province_code")),
        "province_code": None,
        "former_province_code": None,
    }
    if isinstance(born, date):
        out["birth_month"] = born.replace(month=1, day=1)
    for name in _EVENT_DATES:
        if isinstance(values.get(name), date):
            out[name] = values[name].replace(day=1)
    return out


def patient_views(
    *, session: Session, principal: Principal | None, patients: Sequence[Patient]
) -> list[PatientOut]:
    """Records as ``principal`` may see them (see :func:`patient_out`, :func:`to_coarsen`)."""
    coarsened = to_coarsen(session=session, principal=principal, patients=patients)
    views = []
    for patient in patients:
        view = patient_out(patient, principal)
        if patient.id in coarsened:
            view = PatientOut.model_construct(**coarse(view.model_dump()))
        views.append(view)
    return views
