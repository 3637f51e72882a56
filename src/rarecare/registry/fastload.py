"""Writing many validated patients at once: identifiers allocated up front, identities encrypted
in one pass, rows streamed with PostgreSQL's COPY (executemany on SQLite), in the caller's
transaction so that an import stays all-or-nothing. Each batch of written records is audited by
one event listing its pseudonyms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from rarecare.access import Principal
from rarecare.audit import service as audit
from rarecare.registry.identity import KEY_VERSION, Identity, IdentityVault
from rarecare.registry.models import Identity as IdentityRow
from rarecare.registry.models import Patient, PhenotypeObservation
from rarecare.registry.schemas import PatientIn, RecordFields
from rarecare.storage import utcnow

AUDIT_BATCH = 10_000
# the record's own elements, in the order of ``RecordFields`` (the import schema)
RECORD_COLUMNS: tuple[str, ...] = tuple(RecordFields.model_fields)
ORPHA = RECORD_COLUMNS.index("orpha_code")
PATIENT_COLUMNS = (
    "id",
    "pseudonym",
    "centre_id",
    "birth_month",
    *RECORD_COLUMNS,
    "possible_duplicate_of",
    "created_at",
    "updated_at",
)
PHENOTYPE_COLUMNS = (
    "patient_id",
    "hpo_id",
    "excluded",
    "onset",
    "observed_on",
    "recorded_by",
    "created_at",
)


@dataclass
class Item:
    """One validated record, ready to write."""

    data: PatientIn
    pseudonym: str
    identity: Identity
    orpha_code: str | None
    observed: Sequence[str] = ()
    excluded: Sequence[str] = ()


def _allocate_ids(session: Session, n: int) -> list[int]:
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('registry_patients', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": n},
        )
        return [r[0] for r in rows]
    start = (session.scalar(select(func.max(Patient.id))) or 0) + 1
    return list(range(start, start + n))


def _existing(session: Session, pseudonyms: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in range(0, len(pseudonyms), 5000):
        chunk = pseudonyms[i : i + 5000]
        found.update(
            session.execute(
                select(Patient.pseudonym, func.min(Patient.id))
                .where(Patient.pseudonym.in_(chunk))
                .group_by(Patient.pseudonym)
            ).all()
        )
    return found


def _copy(
    session: Session, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection  # psycopg, inside the session's transaction
        assert raw is not None
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    model = {
        "registry_patients": Patient,
        "registry_identities": IdentityRow,
        "registry_phenotypes": PhenotypeObservation,
    }[table]
    session.execute(insert(model), [dict(zip(columns, row, strict=True)) for row in rows])


def write(
    *,
    session: Session,
    actor: Principal,
    centre_id: int,
    vault: IdentityVault,
    items: list[Item],
    today: date,
) -> int:
    """Insert every item (patients, encrypted identities, phenotypes); returns the number of
    possible duplicates (the same pseudonym already registered elsewhere)."""
    if not items:
        return 0
    session.flush()
    ids = _allocate_ids(session, len(items))
    existing = _existing(session, [i.pseudonym for i in items])
    now: datetime = utcnow()
    patients: list[tuple[Any, ...]] = []
    identities: list[tuple[Any, ...]] = []
    phenotypes: list[tuple[Any, ...]] = []
    duplicates = 0
    for pid, item in zip(ids, items, strict=True):
        d = item.data
        duplicate_of = existing.get(item.pseudonym)
        duplicates += duplicate_of is not None
        values = [getattr(d, c) for c in RECORD_COLUMNS]
        values = [v.value if isinstance(v, StrEnum) else v for v in values]
        values[ORPHA] = item.orpha_code
        patients.append(
            (
                pid,
                item.pseudonym,
                centre_id,
                d.identity.birth_date.replace(day=1),
                *values,
                duplicate_of,
                now,
                now,
            )
        )
        identities.append(
            (pid, KEY_VERSION, vault.encrypt(item.identity, associated=str(pid).encode()))
        )
        phenotypes.extend((pid, t, False, "", None, actor.username, now) for t in item.observed)
        phenotypes.extend((pid, t, True, "", None, actor.username, now) for t in item.excluded)
    _copy(session, "registry_patients", PATIENT_COLUMNS, patients)
    _copy(session, "registry_identities", ("patient_id", "key_version", "blob"), identities)
    _copy(session, "registry_phenotypes", PHENOTYPE_COLUMNS, phenotypes)
    for i in range(0, len(items), AUDIT_BATCH):
        audit.record(
            session=session,
            actor=actor,
            action="create",
            object_type="patient",
            centre_id=centre_id,
            detail={
                "bulk": True,
                "pseudonyms": [it.pseudonym for it in items[i : i + AUDIT_BATCH]],
            },
        )
    if session.get_bind().dialect.name == "postgresql":
        # a bulk load makes the planner's row estimates stale: refresh them, or the next look-up
        # by pseudonym scans the table
        session.execute(text("ANALYZE registry_patients, registry_identities, registry_phenotypes"))
    session.expire_all()
    return duplicates
