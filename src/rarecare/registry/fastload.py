"""Writing many prepared patients at once (:class:`Loader`): ids allocated per chunk, rows
streamed with PostgreSQL's COPY (executemany on SQLite), inside a savepoint of the caller's
transaction so that an import stays all-or-nothing. People already registered elsewhere are
flagged as possible duplicates; the written records are audited by events listing their
pseudonyms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
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
        session.flush()
        self._savepoint = session.begin_nested()
        self._postgres = is_postgres(session)

    def add(self, prepared: Prepared) -> None:
        if not prepared.people:
            return
        pseudonyms = [p for _row, p, _id in prepared.people]
        self.pseudonyms.extend(pseudonyms)
        existing = self._existing(pseudonyms)
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
        flags = [
            {"pid": pid, "first": existing[p]} for _row, p, pid in prepared.people if p in existing
        ]
        if flags:  # registered before at another centre: flag for a merge
            self.duplicates += len(flags)
            self.session.connection().execute(
                update(Patient.__table__)  # type: ignore[arg-type]
                .where(Patient.__table__.c.id == bindparam("pid"))
                .values(possible_duplicate_of=bindparam("first")),
                flags,
            )
        ids = [pid for _row, _p, pid in prepared.people]
        self.duplicates += self._flag_near_homonyms(min(ids), max(ids))

    def _existing(self, pseudonyms: list[str]) -> dict[str, int]:
        """The first patient id of every pseudonym already registered."""
        if self._postgres:  # one array parameter, not thousands of bound parameters
            return dict(
                self.session.execute(
                    text(
                        "SELECT pseudonym, min(id) FROM registry_patients"
                        " WHERE pseudonym = ANY(:p) GROUP BY pseudonym"
                    ),
                    {"p": pseudonyms},
                ).all()
            )
        found: dict[str, int] = {}
        for chunk in in_chunks(pseudonyms):
            found.update(
                self.session.execute(
                    select(Patient.pseudonym, func.min(Patient.id))
                    .where(Patient.pseudonym.in_(chunk))
                    .group_by(Patient.pseudonym)
                ).all()
            )
        return found

    def _flag_near_homonyms(self, first_id: int, last_id: int) -> int:
        """Flag the records just written whose folded name and birth date (the match key) an
        earlier record shares — "Lê Văn Lân" typed "Lê Văn Lan", at any centre — as register
        does one at a time; one indexed look-up per record, in the database."""
        p = Patient.__table__
        q = p.alias("q")
        same = (q.c.match_key == p.c.match_key, q.c.id < p.c.id)
        earlier = select(func.min(q.c.id)).where(*same)
        result = self.session.connection().execute(
            update(p)  # type: ignore[arg-type]
            .where(
                p.c.id.between(first_id, last_id),
                p.c.possible_duplicate_of.is_(None),
                p.c.match_key.is_not(None),
                select(q.c.id).where(*same).exists(),
            )
            .values(possible_duplicate_of=earlier.scalar_subquery())
        )
        return int(getattr(result, "rowcount", 0) or 0)

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
