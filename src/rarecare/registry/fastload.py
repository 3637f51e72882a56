"""Writing many validated patients at once (:class:`Loader`): identifiers allocated per batch,
identities encrypted, rows streamed with PostgreSQL's COPY (executemany on SQLite), inside a
savepoint of the caller's transaction so that an import stays all-or-nothing. The written records
are audited by events listing their pseudonyms."""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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
ENUM_COLUMNS = tuple(
    i
    for i, c in enumerate(RECORD_COLUMNS)
    if isinstance(RecordFields.model_fields[c].annotation, type)
    and issubclass(RecordFields.model_fields[c].annotation, StrEnum)  # type: ignore[arg-type]
)
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
# the tables an import writes, in order, with their columns (as ``_rows`` returns them)
TABLES: tuple[tuple[str, tuple[str, ...], type[Any]], ...] = (
    ("registry_patients", PATIENT_COLUMNS, Patient),
    ("registry_identities", ("patient_id", "key_version", "blob"), IdentityRow),
    ("registry_phenotypes", PHENOTYPE_COLUMNS, PhenotypeObservation),
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
    """SQLite: the next ``n`` ids (the import holds the database's single write lock)."""
    start = (session.scalar(select(func.max(Patient.id))) or 0) + 1
    return list(range(start, start + n))


def _existing(session: Session, pseudonyms: list[str]) -> dict[str, int]:
    """SQLite: the first patient id of every pseudonym already registered."""
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


def _rows(
    items: Sequence[Item],
    ids: Sequence[int],
    existing: dict[str, int],
    *,
    centre_id: int,
    vault: IdentityVault,
    username: str,
    now: datetime,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    """The patient, identity (encrypted, bound to the patient id) and phenotype rows."""
    patients: list[tuple[Any, ...]] = []
    identities: list[tuple[Any, ...]] = []
    phenotypes: list[tuple[Any, ...]] = []
    duplicates = 0
    for pid, item in zip(ids, items, strict=True):
        d = item.data
        duplicate_of = existing.get(item.pseudonym)
        duplicates += duplicate_of is not None
        fields = d.__dict__
        values = [fields[c] for c in RECORD_COLUMNS]
        for i in ENUM_COLUMNS:
            values[i] = values[i].value
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
        phenotypes.extend((pid, t, False, "", None, username, now) for t in item.observed)
        phenotypes.extend((pid, t, True, "", None, username, now) for t in item.excluded)
    return patients, identities, phenotypes, duplicates


class Loader:
    """Writes validated records batch by batch while the caller validates the next ones.

    On PostgreSQL a writer thread owns the session's connection (the caller must not use the
    session until :meth:`finish` or :meth:`abort`): it allocates ids, looks up existing
    pseudonyms, encrypts identities and streams the rows with COPY, so the database works while
    Python validates. On SQLite each batch is written at once. Either way the rows are in the
    caller's transaction: an import that fails validation later is rolled back whole."""

    def __init__(
        self, *, session: Session, actor: Principal, centre_id: int, vault: IdentityVault
    ) -> None:
        self.session, self.actor, self.centre_id, self.vault = session, actor, centre_id, vault
        self.now: datetime = utcnow()
        self.pseudonyms: list[str] = []
        self.duplicates = 0
        self._error: BaseException | None = None
        session.flush()
        # a savepoint: rows written before a later batch fails validation are undone even if
        # the caller went on to commit
        self._savepoint = session.begin_nested()
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self._queue: queue.Queue[list[Item] | None] = queue.Queue(maxsize=2)
        self._thread: threading.Thread | None = None
        if self._postgres:
            raw = session.connection().connection.driver_connection
            assert raw is not None
            self._raw = raw
            self._thread = threading.Thread(target=self._run, name="registry-copy", daemon=True)
            self._thread.start()

    def add(self, items: list[Item]) -> None:
        if not items:
            return
        self.pseudonyms.extend(i.pseudonym for i in items)
        if self._thread is None:
            self._write(items)
            return
        if self._error is not None:
            raise self._error
        self._queue.put(items)

    def _run(self) -> None:
        try:
            while (items := self._queue.get()) is not None:
                self._write(items)
        except BaseException as exc:  # reported to the caller by finish()
            self._error = exc
            while self._queue.get() is not None:  # drain so that add() never blocks
                pass

    def _write(self, items: list[Item]) -> None:
        pseudonyms = [i.pseudonym for i in items]
        if self._postgres:  # in the writer thread: the raw connection, never the session
            with self._raw.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('registry_patients', 'id'))"
                    " FROM generate_series(1, %s)",
                    (len(items),),
                )
                ids = [r[0] for r in cursor.fetchall()]
                cursor.execute(  # one array parameter, not thousands of bound parameters
                    "SELECT pseudonym, min(id) FROM registry_patients"
                    " WHERE pseudonym = ANY(%s) GROUP BY pseudonym",
                    (pseudonyms,),
                )
                existing = dict(cursor.fetchall())
        else:
            ids = _allocate_ids(self.session, len(items))
            existing = _existing(self.session, pseudonyms)
        *tables, duplicates = _rows(
            items,
            ids,
            existing,
            centre_id=self.centre_id,
            vault=self.vault,
            username=self.actor.username,
            now=self.now,
        )
        self.duplicates += duplicates
        for (table, columns, model), rows in zip(TABLES, tables, strict=True):
            if not rows:
                continue
            if self._postgres:
                with (
                    self._raw.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
            else:
                self.session.execute(
                    insert(model), [dict(zip(columns, row, strict=True)) for row in rows]
                )

    def _join(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def abort(self) -> None:
        """Stop writing and undo every row written so far."""
        self._join()
        self._savepoint.rollback()

    def finish(self) -> int:
        """Wait for the writes, audit them, refresh statistics; returns the possible duplicates."""
        self._join()
        if self._error is not None:
            self._savepoint.rollback()
            raise self._error
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
                text("ANALYZE registry_patients, registry_identities, registry_phenotypes")
            )
        self.session.expire_all()
        return self.duplicates
