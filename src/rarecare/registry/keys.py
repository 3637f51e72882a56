"""The register of data keys: which key the identity store is encrypted with, checked before
any identity is written or read, and its rotation.

- ``open_vault`` gives the vault for the configured key, or refuses with a clear message when
  the key is not the one in force (a server started with a stale or mistyped key would
  otherwise register new patients under a second key). The first use records the key's check
  value, after checking that the identities already stored decrypt under it.
- ``rotate`` moves every identity to a new key version, a batch per transaction: resumable
  (run it again and it goes on), and it names each record it cannot decrypt instead of stopping.
  Pseudonyms do not change: the pseudonym key is kept, wrapped under the new data key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.config import Settings
from rarecare.errors import ConfigurationError
from rarecare.registry.models import DataKey, Patient
from rarecare.registry.models import Identity as IdentityRow
from rarecare.registry.vault import (
    IdentityVault,
    KeyUnavailable,
    check_value,
    legacy_pseudonym_key,
    unwrap,
)
from rarecare.storage import encrypted, utcnow
from rarecare.storage.base import Base

log = logging.getLogger("rarecare.registry")
BATCH = 1000


def open_vault(
    *, session: Session, key: bytes, previous: bytes | None = None, record: bool = True
) -> IdentityVault:
    """The vault of the data key in force, which ``key`` must be; ``previous`` (the key before
    it) also decrypts identities not yet moved by a rotation. On first use the key is recorded
    (unless ``record`` is false: a check that only reads, as at start-up)."""
    keys = list(session.scalars(select(DataKey).order_by(DataKey.version)))
    if not keys:
        return _first_use(session, key, record)
    current = keys[-1]
    mine = check_value(key)
    if current.check_value != mine:
        older = next((k for k in keys[:-1] if k.check_value == mine), None)
        if older is not None:
            raise ConfigurationError(
                f"RARECARE_DATA_KEY is the retired key of version {older.version}; the key in "
                f"force is version {current.version}. Set RARECARE_DATA_KEY to it (and "
                "RARECARE_PREVIOUS_DATA_KEY to this one until the rotation has finished)."
            )
        raise ConfigurationError(
            "RARECARE_DATA_KEY does not match the key this database's identities are encrypted "
            f"with (key version {current.version}). Use that key; starting with another would "
            "register new patients under a second key."
        )
    earlier: dict[int, bytes] = {}
    if previous is not None:
        before = next((k for k in keys if k.check_value == check_value(previous)), None)
        if before is None:
            raise ConfigurationError(
                "RARECARE_PREVIOUS_DATA_KEY is none of this database's earlier data keys."
            )
        earlier[before.version] = previous
    return IdentityVault(
        key,
        version=current.version,
        pseudonym_key=unwrap(key, current.pseudonym_key),
        previous=earlier,
    )


def vault_for(*, session: Session, settings: Settings, record: bool = True) -> IdentityVault:
    """The vault of the configured data key (and previous key), checked against the register."""
    return open_vault(
        session=session,
        key=settings.identity_key,
        previous=settings.previous_identity_key,
        record=record,
    )


def _first_use(session: Session, key: bytes, record: bool = True) -> IdentityVault:
    vault = IdentityVault(key, version=1, pseudonym_key=legacy_pseudonym_key(key))
    sample = session.scalar(select(IdentityRow).order_by(IdentityRow.id).limit(1))
    if sample is not None:
        try:
            vault.decrypt(sample.blob, str(sample.patient_id).encode(), sample.key_version)
        except (InvalidTag, KeyUnavailable):
            raise ConfigurationError(
                "RARECARE_DATA_KEY does not decrypt the identities already stored: it is not "
                "the key this database was set up with."
            ) from None
    if record:
        session.add(
            DataKey(
                version=1,
                check_value=check_value(key),
                pseudonym_key=vault.wrapped_pseudonym_key(key),
                completed_at=utcnow(),
            )
        )
        session.flush()
    return vault


@dataclass
class Rotation:
    version: int
    moved: int = 0
    remaining: int = 0
    unreadable: list[str] = field(default_factory=list)  # pseudonyms of records left behind

    @property
    def finished(self) -> bool:
        return self.remaining == 0


def rotate(
    *,
    sessions: sessionmaker[Session],
    principal: Principal | None,
    key: bytes,
    new_key: bytes,
    previous: bytes | None = None,
    progress: Callable[[int], None] | None = None,
) -> Rotation:
    """Re-encrypt every identity under ``new_key``, a batch per transaction. ``key`` is the key
    in force (or, when resuming, the key being rotated from while ``new_key`` is registered
    already). Records that cannot be decrypted are named and left as they are."""
    actor = require_role(principal, Role.ADMIN)
    with sessions.begin() as session:
        target = _register_new(session, key, new_key, previous)
        new = open_vault(session=session, key=new_key)
        old = _old_vault(session, key, previous, new)
    result = Rotation(version=target)
    skipped: set[int] = set()
    last_id = 0
    while True:
        with sessions.begin() as session:
            rows = list(
                session.scalars(
                    select(IdentityRow)
                    .where(IdentityRow.key_version < target, IdentityRow.id > last_id)
                    .order_by(IdentityRow.id)
                    .limit(BATCH)
                )
            )
            if not rows:
                break
            for row in rows:
                associated = str(row.patient_id).encode()
                try:
                    identity = old.decrypt(row.blob, associated, row.key_version)
                except (InvalidTag, KeyUnavailable):
                    skipped.add(row.patient_id)
                    continue
                row.blob = new.encrypt(identity, associated)
                row.key_version = target
                result.moved += 1
            last_id = rows[-1].id
        if progress is not None:
            progress(len(rows))
    others = 0  # identities of the other features' tables left behind
    for table, id_column in encrypted.ENCRYPTED.items():
        moved, left = _rotate_table(sessions, table, id_column, target, old, new)
        result.moved += moved
        others += left
    with sessions.begin() as session:
        result.remaining = others + (
            session.scalar(
                select(func.count())
                .select_from(IdentityRow)
                .where(IdentityRow.key_version < target)
            )
            or 0
        )
        if skipped:
            result.unreadable = list(
                session.scalars(select(Patient.pseudonym).where(Patient.id.in_(skipped)))
            )
        if result.finished:
            register = session.get(DataKey, target)
            if register is not None and register.completed_at is None:
                register.completed_at = utcnow()
        audit.record(
            session=session,
            actor=actor,
            action="rotate_key",
            object_type="registry",
            detail={
                "version": target,
                "moved": result.moved,
                "remaining": result.remaining,
                "unreadable": result.unreadable,
            },
        )
    for pseudonym in result.unreadable:
        log.warning("key rotation could not decrypt the identity of %s", pseudonym)
    return result


def _rotate_table(
    sessions: sessionmaker[Session],
    name: str,
    id_column: str,
    target: int,
    old: IdentityVault,
    new: IdentityVault,
) -> tuple[int, int]:
    """Re-encrypt another feature's identity table (``storage.encrypted``): (moved, left)."""
    import rarecare.models  # noqa: F401 - every feature's tables in the metadata

    table = Base.metadata.tables[name]
    ident, version, blob = table.c[id_column], table.c.key_version, table.c.blob
    moved, last = 0, 0
    while True:
        with sessions.begin() as session:
            rows = session.execute(
                select(ident, version, blob)
                .where(version < target, ident > last)
                .order_by(ident)
                .limit(BATCH)
            ).all()
            if not rows:
                break
            for row_id, row_version, row_blob in rows:
                associated = str(row_id).encode()
                try:
                    identity = old.decrypt(row_blob, associated, row_version)
                except (InvalidTag, KeyUnavailable):
                    log.warning("key rotation could not decrypt %s %s", name, row_id)
                    continue
                session.execute(
                    update(table)
                    .where(ident == row_id)
                    .values(blob=new.encrypt(identity, associated), key_version=target)
                )
                moved += 1
            last = rows[-1][0]
    with sessions.begin() as session:
        left = session.scalar(select(func.count()).select_from(table).where(version < target))
    return moved, int(left or 0)


def _register_new(session: Session, key: bytes, new_key: bytes, previous: bytes | None) -> int:
    """The version of ``new_key``: registered now, or already (a rotation being resumed)."""
    keys = list(session.scalars(select(DataKey).order_by(DataKey.version)))
    if not keys:
        open_vault(session=session, key=key)  # records the key in force first
        keys = list(session.scalars(select(DataKey).order_by(DataKey.version)))
    current = keys[-1]
    if current.check_value == check_value(new_key):
        return current.version  # resuming
    if any(k.check_value == check_value(new_key) for k in keys):
        raise ConfigurationError("The new data key is one this database used before.")
    vault = open_vault(session=session, key=key, previous=previous)
    session.add(
        DataKey(
            version=current.version + 1,
            check_value=check_value(new_key),
            pseudonym_key=vault.wrapped_pseudonym_key(new_key),
        )
    )
    session.flush()
    return current.version + 1


def _old_vault(
    session: Session, key: bytes, previous: bytes | None, new: IdentityVault
) -> IdentityVault:
    """A vault decrypting the identities still under older versions: ``key`` (the key rotated
    from) and ``previous`` where given."""
    versions = {
        k.check_value: k.version
        for k in session.scalars(select(DataKey).where(DataKey.version < new.version))
    }
    earlier = {
        versions[check_value(k)]: k
        for k in (key, previous)
        if k is not None and check_value(k) in versions
    }
    if not earlier:
        raise ConfigurationError(
            "RARECARE_DATA_KEY must be the key being rotated from (the new key goes in "
            "RARECARE_NEW_DATA_KEY or --new-key-file)."
        )
    newest = max(earlier)
    older = {v: k for v, k in earlier.items() if v != newest}
    return IdentityVault(earlier[newest], version=newest, previous=older)
