"""Backups and restores of the whole database, the same way for both back ends a hospital may
run: SQLite through its online backup API (a consistent copy while the server keeps serving),
PostgreSQL through ``pg_dump`` / ``pg_restore`` in their custom format.

A backup holds the identity store encrypted: it is useless without ``RARECARE_DATA_KEY``, which
it never contains. Keep the key apart from the backups (and a copy of the key in a safe); a
backup restored with another key cannot reveal identities (the application refuses to start)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from rarecare.errors import ConfigurationError, RareCareError


def backup(url: str, target: Path) -> Path:
    """Write a consistent backup of the database at ``url`` into ``target`` (readable by its
    owner only)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        try:
            destination = sqlite3.connect(target)
            with destination:
                source.backup(destination)
            destination.close()
        finally:
            source.close()
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)], url)
    os.chmod(target, 0o600)
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the backup ``source`` (stop the server first)."""
    if not source.is_file():
        raise RareCareError(f"No backup file at {source}.")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        origin = sqlite3.connect(source)
        try:
            if origin.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise RareCareError(f"{source} is not an intact SQLite backup.")
            destination = sqlite3.connect(_sqlite_path(url))
            with destination:
                origin.backup(destination)
            destination.close()
        except sqlite3.DatabaseError as exc:
            raise RareCareError(f"{source} is not an SQLite backup: {exc}") from exc
        finally:
            origin.close()
        return
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_libpq(url)}",
            str(source),
        ],
        url,
    )


def checksums(engine: Engine) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows (in primary-key order): equal before a
    backup and after its restore, or the restore lost something."""
    sums: dict[str, tuple[int, str]] = {}
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in sorted(inspector.get_table_names()):
            key = inspector.get_pk_constraint(table).get("constrained_columns") or []
            order = f" ORDER BY {', '.join(key)}" if key else ""
            rows = connection.execute(text(f'SELECT * FROM "{table}"{order}'))  # noqa: S608
            digest = hashlib.sha256()
            count = 0
            for row in rows:
                digest.update(repr(tuple(_plain(v) for v in row)).encode())
                count += 1
            sums[table] = (count, digest.hexdigest())
    return sums


def _plain(value: object) -> object:
    if isinstance(value, memoryview):
        return bytes(value)
    if hasattr(value, "isoformat") and getattr(value, "tzinfo", None) is not None:
        return value.isoformat()
    return value


def default_name(directory: Path, url: str) -> Path:
    from datetime import UTC, datetime

    kind = "sqlite3" if make_url(url).get_backend_name() == "sqlite" else "pgdump"
    return directory / f"rarecare-{datetime.now(UTC):%Y%m%d-%H%M%S}.{kind}"


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise RareCareError("An in-memory database cannot be backed up or restored.")
    return database


def _libpq(url: str) -> str:
    """The libpq URL without its password (which goes in the environment, not in argv where
    ``ps`` shows it)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.set(password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: str | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise ConfigurationError(
            f"{command[0]} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client)."
        )
    with tempfile.TemporaryFile() as errors:
        env = dict(os.environ)
        password = make_url(url).password if url else None
        if password:
            env["PGPASSWORD"] = str(password)
        done = subprocess.run(command, stderr=errors, env=env, check=False)  # noqa: S603
        if done.returncode != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()[-2000:]
            raise RareCareError(f"{command[0]} failed: {message}")
