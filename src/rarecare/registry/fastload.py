"""Writing many prepared patients at once (:class:`Loader`): ids allocated per chunk, rows
streamed with PostgreSQL's COPY (executemany on SQLite), inside a savepoint of the caller's
transaction so that an import stays all-or-nothing. People already registered elsewhere are
flagged as possible duplicates; the written records are audited by events listing their
pseudonyms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, any_, bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from rarecare.access import Principal
from rarecare.audit import service as audit
from rarecare.registry.models import Consent, IdentityKey, Patient, PhenotypeObservation
from rarecare.registry.models import Identity as IdentityRow
from rarecare.registry.prepare import (
    CONSENT_COLUMNS,
    IDENTITY_COLUMNS,
    IDENTITY_KEY_COLUMNS,
    PATIENT_COLUMNS,
    PHENOTYPE_COLUMNS,
    Prepared,
)
from rarecare.storage import in_chunks
from rarecare.storage.base import table_of
from rarecare.storage.bulk import IdAllocator, is_postgres

AUDIT_BATCH = 10_000
__all__ = ["IdAllocator", "Loader", "is_postgres"]
# the tables an import writes, in the order of ``Prepared.tables``
TABLES: tuple[tuple[str, tuple[str, ...], type[Any]], ...] = (
    ("registry_patients", PATIENT_COLUMNS, Patient),
    ("registry_identities", IDENTITY_COLUMNS, IdentityRow),
    ("registry_phenotypes", PHENOTYPE_COLUMNS, PhenotypeObservation),
    ("registry_identity_keys", IDENTITY_KEY_COLUMNS, IdentityKey),
    ("registry_consents", CONSENT_COLUMNS, Consent),
)


class Loader:
    """Writes prepared chunks into the caller's transaction, inside a savepoint: rows written
    before a later chunk fails validation are undone even if the caller went on to commit."""

    def __init__(self, *, session: Session, actor: Principal, centre_id: int) -> None:
        self.session, self.actor, self.centre_id = session, actor, centre_id
        self.pseudonyms: list[str] = []
        self.duplicates = 0
        self._keys: dict[str, int] = {}  # match key -> first patient id written by this import
        session.flush()
        self._savepoint = session.begin_nested()
        self._postgres = is_postgres(session)

    def add(self, prepared: Prepared) -> None:
        if not prepared.people:
            return
        pseudonyms = [p for _row, p, _id in prepared.people]
        self.pseudonyms.extend(pseudonyms)
        # looked up before the chunk is written: every id found is earlier than the chunk's
        existing = self._first_ids(Patient.pseudonym, pseudonyms)
        homonyms = self._first_ids(Patient.match_key, prepared.match_keys)
        if self._postgres:
            raw = self.session.connection().connection.driver_connection
            assert raw is not None
            for (table, columns, _model), payload in zip(TABLES, prepared.tables, strict=True):
                if payload:
                    assert isinstance(payload, bytes)
                    with (
                        raw.cursor() as cursor,
                        cursor.copy(
                            f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
                        ) as copy,
                    ):
                        copy.write(payload)
        else:
            for (_table, columns, model), rows in zip(TABLES, prepared.tables, strict=True):
                if rows:
                    assert isinstance(rows, list)
                    self.session.execute(
                        insert(model), [dict(zip(columns, row, strict=True)) for row in rows]
                    )
        flags = []
        for (_row, pseudonym, pid), key in zip(prepared.people, prepared.match_keys, strict=True):
            if pseudonym in existing:  # registered before at another centre: flag for a merge
                flags.append({"pid": pid, "first": existing[pseudonym]})
            else:  # a near-homonym — "Lê Văn Lân" typed "Lê Văn Lan" — at any centre
                # (earlier in the database or earlier in this import), as register does
                earlier = [i for i in (homonyms.get(key), self._keys.get(key)) if i is not None]
                if earlier:
                    flags.append({"pid": pid, "first": min(earlier)})
            self._keys.setdefault(key, pid)
        if flags:
            self.duplicates += len(flags)
            patients = table_of(Patient)
            self.session.connection().execute(
                update(patients)
                .where(patients.c.id == bindparam("pid"))
                .values(possible_duplicate_of=bindparam("first")),
                flags,
            )

    def _first_ids(self, column: Any, values: list[str]) -> dict[str, int]:
        """The first patient id of every value of ``column`` (pseudonym or match key) already
        registered."""
        if self._postgres:  # one array parameter, not thousands of bound parameters
            return dict(
                self.session.execute(
                    select(column, func.min(Patient.id))
                    .where(column == any_(bindparam("v", values, type_=ARRAY(String))))
                    .group_by(column)
                ).all()
            )
        found: dict[str, int] = {}
        for chunk in in_chunks(values):
            found.update(
                self.session.execute(
                    select(column, func.min(Patient.id)).where(column.in_(chunk)).group_by(column)
                ).all()
            )
        return found

    def abort(self) -> None:
        """Undo every row written so far."""
        self._savepoint.rollback()

    def finish(self) -> int:
        """Audit the writes and refresh statistics; returns the possible duplicates."""
        self._savepoint.commit()
        for i in range(0, len(self.pseudonyms), AUDIT_BATCH):
            audit.record(
                session=self.session,
                actor=self.actor,
                action="create",
                object_type="patient",
                centre_id=self.centre_id,
                detail={"bulk": True, "pseudonyms": self.pseudonyms[i : i + AUDIT_BATCH]},
            )
        if self._postgres:
            # a bulk load makes the planner's row estimates stale: refresh them, or the next
            # look-up by pseudonym scans the table
            self.session.execute(
                text(
                    "ANALYZE registry_patients, registry_identities, registry_phenotypes,"
                    " registry_identity_keys, registry_consents"
                )
            )
        self.session.expire_all()
        return self.duplicates
