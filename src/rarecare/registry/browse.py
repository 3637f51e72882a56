"""Finding records: the registry list (filters, sorting, pages with the total) and finding a
person by national ID (CCCD), insurance number or exact full name through the blind index —
keyed hashes of the normalised values, so identities stay encrypted. Every search is audited
(naming the records returned and which kind of identifier was looked up, never its value)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, func, insert, select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_authenticated, require_role
from rarecare.audit import service as audit
from rarecare.knowledge import normalise_orpha
from rarecare.registry.models import (
    DiagnosticStatus,
    IdentityKey,
    Patient,
    PatientCentre,
)
from rarecare.registry.models import (
    Identity as IdentityRow,
)
from rarecare.registry.service import scoped
from rarecare.registry.vault import IdentityVault

IdentifierKind = Literal["cccd", "insurance", "name"]
SORTS: dict[str, Callable[[], Any]] = {
    "newest": lambda: (Patient.created_at.desc(), Patient.id.desc()),
    "oldest": lambda: (Patient.created_at, Patient.id),
    "pseudonym": lambda: (Patient.pseudonym, Patient.id),
    "first_contact": lambda: (Patient.first_contact_date.is_(None), Patient.first_contact_date),
    "status": lambda: (Patient.diagnostic_status, Patient.id),
    "updated": lambda: (Patient.updated_at.desc(), Patient.id.desc()),
}


class RegistryQuery(BaseModel):
    """What the registry list is filtered and sorted by (all optional)."""

    pseudonym: str | None = Field(default=None, max_length=40)
    status: DiagnosticStatus | None = None
    orpha_code: str | None = Field(default=None, max_length=16)
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    centre_id: int | None = None
    undiagnosed_for_days: int | None = Field(
        default=None,
        ge=1,
        le=36_500,
        description="not confirmed this many days after first specialist contact",
    )
    identifier_kind: IdentifierKind | None = None
    identifier: str | None = Field(default=None, max_length=200)
    sort: Literal["newest", "oldest", "pseudonym", "first_contact", "status", "updated"] = "newest"


def browse(
    *,
    session: Session,
    principal: Principal | None,
    vault: IdentityVault | None,
    query: RegistryQuery,
    offset: int = 0,
    limit: int = 50,
    today: date | None = None,
) -> tuple[list[Patient], int]:
    """A page of the records the principal may see matching ``query``, and how many match."""
    actor = require_authenticated(principal)
    conditions = _conditions(vault, query, today or date.today())
    total = (
        session.scalar(
            scoped(select(Patient), actor)
            .where(*conditions)
            .with_only_columns(func.count(Patient.id))
            .order_by(None)
        )
        or 0
    )
    patients = list(
        session.scalars(
            scoped(select(Patient), actor)
            .where(*conditions)
            .order_by(*SORTS[query.sort]())
            .offset(max(offset, 0))
            .limit(min(max(limit, 1), 500))
        )
    )
    filters = query.model_dump(mode="json", exclude_none=True, exclude={"identifier"})
    audit.record(
        session=session,
        actor=actor,
        action="search",
        object_type="patient",
        detail={"filters": filters, "returned": [p.pseudonym for p in patients], "total": total},
    )
    return patients, total


def _conditions(vault: IdentityVault | None, query: RegistryQuery, today: date) -> list[Any]:
    out: list[ColumnElement[bool]] = []
    if query.pseudonym:
        out.append(Patient.pseudonym == query.pseudonym.strip().upper())
    if query.status is not None:
        out.append(Patient.diagnostic_status == query.status)
    if query.orpha_code:
        out.append(Patient.orpha_code == (normalise_orpha(query.orpha_code) or query.orpha_code))
    if query.province_code:
        out.append(Patient.province_code == query.province_code)
    if query.centre_id is not None:
        out.append(Patient.centre_id == query.centre_id)
    if query.undiagnosed_for_days:
        cutoff = today - timedelta(days=query.undiagnosed_for_days)
        out.append(
            and_(
                Patient.diagnostic_status != DiagnosticStatus.CONFIRMED,
                Patient.first_contact_date <= cutoff,
            )
        )
    if query.identifier_kind and query.identifier and query.identifier.strip():
        digest = vault.blind_key(query.identifier_kind, query.identifier) if vault else ""
        kinds = ("cccd", "cmnd") if query.identifier_kind == "cccd" else (query.identifier_kind,)
        matching = select(IdentityKey.patient_id).where(
            IdentityKey.kind.in_(kinds), IdentityKey.digest == (digest or "-")
        )
        out.append(Patient.id.in_(matching))
    return out


def index_identities(
    *,
    session: Session,
    principal: Principal | None,
    vault: IdentityVault,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Build the blind index of identities registered before it existed (admins or the
    system): each one decrypted once and its keyed hashes written; returns how many records
    were indexed. Records already indexed are left alone, so it can run again."""
    actor = require_role(principal, Role.ADMIN)
    indexed = 0
    last = 0
    while True:
        rows = session.execute(
            select(IdentityRow.patient_id, IdentityRow.key_version, IdentityRow.blob)
            .where(
                IdentityRow.patient_id > last,
                ~IdentityRow.patient_id.in_(select(IdentityKey.patient_id)),
            )
            .order_by(IdentityRow.patient_id)
            .limit(batch)
        ).all()
        if not rows:
            break
        keys: list[dict[str, object]] = []
        for patient_id, version, blob in rows:
            identity = vault.decrypt(blob, str(patient_id).encode(), version)
            keys.extend(
                {"patient_id": patient_id, "kind": kind, "digest": digest}
                for kind, digest in vault.blind_keys(identity)
            )
        if keys:
            session.execute(insert(IdentityKey), keys)
        indexed += len(rows)
        last = rows[-1][0]
        if progress:
            progress(indexed)
    audit.record(
        session=session,
        actor=actor,
        action="index_identities",
        object_type="registry",
        detail={"indexed": indexed},
    )
    return indexed


def origins(*, session: Session) -> dict[int, dict[str, int]]:
    """Patients per centre — registered there, or shared with it (referred) — and province of
    residence: aggregates only, for the network map (callers publishing them suppress small
    counts)."""
    owned = select(Patient.centre_id, Patient.province_code, func.count()).group_by(
        Patient.centre_id, Patient.province_code
    )
    shared = (
        select(PatientCentre.centre_id, Patient.province_code, func.count())
        .join(Patient, Patient.id == PatientCentre.patient_id)
        .where(PatientCentre.centre_id != Patient.centre_id)
        .group_by(PatientCentre.centre_id, Patient.province_code)
    )
    out: dict[int, dict[str, int]] = {}
    for query in (owned, shared):
        for centre_id, province, n in session.execute(query):
            per = out.setdefault(centre_id, {})
            per[province] = per.get(province, 0) + int(n)
    return out
