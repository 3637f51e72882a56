"""The duplicate worklist: records flagged at registration as possibly the same person as an
earlier record (same keyed national ID or name and birth date at another centre, or a
near-homonym), to be reviewed by a person and marked as distinct people — never merged or
refused automatically. A centre sees that a possible duplicate exists elsewhere, never which
record it is; national roles see both pseudonyms. A reviewer who may see both records may
instead merge the later into the earlier. Every review is audited with its reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import column as sa_column
from sqlalchemy import delete, func, inspect, select, table, update
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_authenticated, require_role
from rarecare.audit import service as audit
from rarecare.errors import FieldError, NotFound, PermissionDenied, ValidationFailed, require_reason
from rarecare.i18n import N_, _
from rarecare.registry.models import (
    AgeKind,
    DiagnosticStatus,
    IdentityKey,
    Patient,
    PatientCentre,
    PhenotypeObservation,
    VitalStatus,
)
from rarecare.registry.models import Identity as IdentityRow
from rarecare.registry.service import WRITERS, get, scoped, store_identity
from rarecare.registry.vault import IdentityVault

REVIEWERS = (*WRITERS, Role.ADMIN)


def _not_flagged() -> ValidationFailed:
    return ValidationFailed(
        _("This record is not flagged as a possible duplicate."),
        [FieldError("patient", N_("not flagged"))],
    )


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


def earlier_records(
    *, session: Session, principal: Principal | None, flagged: Sequence[Patient]
) -> dict[int, str]:
    """The earlier records of ``flagged`` the principal may see (id → pseudonym): all of them
    for national roles, those of their own centre for a centre — which may then merge them.
    A centre never learns which record at another centre it may duplicate."""
    actor = require_authenticated(principal)
    ids = {p.possible_duplicate_of for p in flagged if p.possible_duplicate_of is not None}
    if not ids:
        return {}
    rows = session.execute(
        scoped(select(Patient).where(Patient.id.in_(ids)), actor).with_only_columns(
            Patient.id, Patient.pseudonym
        )
    )
    return dict(rows.all())


def mark_distinct(
    *, session: Session, principal: Principal | None, patient_id: int, reason: str
) -> Patient:
    """Record that a flagged record is another person than the earlier one (with why)."""
    actor = require_role(principal, *REVIEWERS)
    reason = require_reason(reason)
    patient = get(session=session, principal=actor, patient_id=patient_id, action="update")
    if patient.possible_duplicate_of is None:
        raise _not_flagged()
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
        detail={"earlier_record": other, "reason": reason},
    )
    return patient


# ---------------------------------------------------------------------------------- merging
_STRENGTH = {
    DiagnosticStatus.UNDIAGNOSED: 0,
    DiagnosticStatus.SUSPECTED: 1,
    DiagnosticStatus.PROBABLE: 2,
    DiagnosticStatus.CONFIRMED: 3,
}
# the survivor keeps its own consents (given for that record); the duplicate's go with it, their
# history in the audit log
_OWN_TABLES = {"registry_patients", "registry_patient_centres", "registry_identities",
               "registry_identity_keys", "registry_phenotypes", "registry_consents"}  # fmt: skip


def _earliest(a: date | None, b: date | None) -> date | None:
    return min((d for d in (a, b) if d is not None), default=None)


def _fold_elements(into: Patient, other: Patient) -> list[str]:
    """The survivor takes what only the duplicate knew: the earliest first contact and first
    symptoms (the diagnostic-delay clock starts at the first), a stronger diagnosis, a death.
    Consents are the survivor's (a consent is given for a record, never inferred); a
    difference is returned for the reviewer to check."""
    into.first_contact_date = _earliest(into.first_contact_date, other.first_contact_date)
    into.first_symptoms_date = _earliest(into.first_symptoms_date, other.first_symptoms_date)
    if into.onset_kind is AgeKind.UNDETERMINED and other.onset_kind is not AgeKind.UNDETERMINED:
        into.onset_kind, into.onset_date = other.onset_kind, other.onset_date
    if _STRENGTH[other.diagnostic_status] > _STRENGTH[into.diagnostic_status]:
        into.diagnostic_status, into.orpha_code = other.diagnostic_status, other.orpha_code
        into.diagnosis_kind, into.diagnosis_date = other.diagnosis_kind, other.diagnosis_date
    if other.vital_status is VitalStatus.DEAD and into.vital_status is not VitalStatus.DEAD:
        into.vital_status, into.death_date = VitalStatus.DEAD, other.death_date
    into.biosample = into.biosample or other.biosample
    into.biobank = into.biobank or other.biobank
    into.former_province_code = into.former_province_code or other.former_province_code
    return [
        name
        for name in ("consent_reuse", "contact_for_research")
        if getattr(into, name) != getattr(other, name)
    ]


def _fold_identity(session: Session, vault: IdentityVault, into: Patient, other: Patient) -> None:
    """Fill the survivor's empty identifiers (CCCD, insurance number, phone, address, guardian)
    from the duplicate's, re-encrypted, and re-key its blind index."""
    rows = {
        row.patient_id: row
        for row in session.scalars(
            select(IdentityRow).where(IdentityRow.patient_id.in_((into.id, other.id)))
        )
    }
    if into.id not in rows or other.id not in rows:
        return
    mine = vault.decrypt(rows[into.id].blob, str(into.id).encode(), rows[into.id].key_version)
    theirs = vault.decrypt(rows[other.id].blob, str(other.id).encode(), rows[other.id].key_version)
    filled = replace(
        mine,
        **{
            name: getattr(theirs, name)
            for name in ("national_id", "insurance_number", "phone", "address", "guardian")
            if not getattr(mine, name) and getattr(theirs, name)
        },
    )
    if filled != mine:
        store_identity(session, vault, into.id, filled, rows[into.id])


def _rows(result: object) -> int:
    """The rows an UPDATE changed."""
    return int(getattr(result, "rowcount", 0) or 0)


def _patient_references(session: Session) -> list[tuple[str, str, bool]]:
    """(table, column, one row per patient?) of every column referring to a patient record,
    read from the database itself, so every package's tables — and ones added later — count."""
    found: list[tuple[str, str, bool]] = []
    schema = inspect(session.connection())
    for name in schema.get_table_names():
        for fk in schema.get_foreign_keys(name):
            if fk["referred_table"] != "registry_patients" or len(fk["constrained_columns"]) != 1:
                continue
            column = fk["constrained_columns"][0]
            unique = any(
                uc["column_names"] == [column] for uc in schema.get_unique_constraints(name)
            ) or any(
                ix["unique"] and ix["column_names"] == [column] for ix in schema.get_indexes(name)
            )
            found.append((name, column, unique))
    return found


def _move_rows(session: Session, into: Patient, other: Patient) -> dict[str, int]:
    """Point every row that belongs to the duplicate (diagnoses, encounters, re-analyses and
    every other package's tables: plans, doses, coverage) at the survivor; a table allowing
    one row per patient keeps the survivor's. Returns the rows moved per table."""
    moved: dict[str, int] = {}
    for name, column, unique in _patient_references(session):
        if name in _OWN_TABLES:
            continue
        target = table(name, sa_column(column))
        ref = target.c[column]
        if unique and session.scalar(
            select(func.count()).select_from(target).where(ref == into.id)
        ):
            session.execute(target.delete().where(ref == other.id))
            continue
        count = _rows(
            session.execute(target.update().where(ref == other.id).values({column: into.id}))
        )
        if count:
            moved[name] = count
    # phenotypes: each term once (the survivor's observation wins)
    kept = select(PhenotypeObservation.hpo_id).where(PhenotypeObservation.patient_id == into.id)
    session.execute(
        delete(PhenotypeObservation).where(
            PhenotypeObservation.patient_id == other.id, PhenotypeObservation.hpo_id.in_(kept)
        )
    )
    count = _rows(
        session.execute(
            update(PhenotypeObservation)
            .where(PhenotypeObservation.patient_id == other.id)
            .values(patient_id=into.id)
        )
    )
    if count:
        moved["registry_phenotypes"] = count
    return moved


def merge(
    *,
    session: Session,
    principal: Principal | None,
    vault: IdentityVault,
    patient_id: int,
    reason: str,
) -> Patient:
    """Merge a flagged record into the earlier record it duplicates: its observations,
    diagnoses, encounters, plans, doses and costs move to the earlier record, which keeps its
    pseudonym and takes the facts only the duplicate knew; the duplicate's centre keeps access
    (as after a referral); the duplicate is then removed. Needs access to both records — across
    centres, a national data steward (admin). Audited with the reason and what moved."""
    actor = require_role(principal, *REVIEWERS)
    reason = require_reason(reason)
    duplicate = get(session=session, principal=actor, patient_id=patient_id, action="merge")
    if duplicate.possible_duplicate_of is None:
        raise _not_flagged()
    try:
        survivor = get(
            session=session,
            principal=actor,
            patient_id=duplicate.possible_duplicate_of,
            action="merge",
        )
    except NotFound:
        raise PermissionDenied(
            _("The earlier record is at another centre: a national data steward merges them.")
        ) from None
    consents = _fold_elements(survivor, duplicate)
    _fold_identity(session, vault, survivor, duplicate)
    centres = {survivor.centre_id, *(link.centre_id for link in survivor.shared_with)}
    for centre_id in (duplicate.centre_id, *(link.centre_id for link in duplicate.shared_with)):
        if centre_id not in centres:
            centres.add(centre_id)
            survivor.shared_with.append(PatientCentre(centre_id=centre_id))
    session.flush()
    moved = _move_rows(session, survivor, duplicate)
    session.execute(
        update(Patient)
        .where(Patient.possible_duplicate_of == duplicate.id)
        .values(possible_duplicate_of=survivor.id)
    )
    gone = duplicate.pseudonym
    session.execute(delete(IdentityKey).where(IdentityKey.patient_id == duplicate.id))
    session.execute(delete(IdentityRow).where(IdentityRow.patient_id == duplicate.id))
    session.expire(duplicate)  # its collections were moved: reload them (empty) before deleting
    session.delete(duplicate)
    session.flush()
    session.expire(survivor)
    audit.record(
        session=session,
        actor=actor,
        action="merge",
        object_type="patient",
        object_id=survivor.pseudonym,
        centre_id=survivor.centre_id,
        detail={
            "merged_record": gone,
            "reason": reason,
            "moved": moved,
            "consents_differed": consents,
        },
    )
    return survivor
