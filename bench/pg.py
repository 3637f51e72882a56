"""A throw-away PostgreSQL database for a benchmark: created and migrated on entry, dropped on
exit. The server is ``RARECARE_TEST_POSTGRES_URL`` (the test suite's) or the local one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine

from rarecare.storage import make_engine
from rarecare.storage.migrate import upgrade

CACHE = Path(__file__).resolve().parents[1] / "var" / "cache"  # knowledge and engine caches
SERVER = os.environ.get(
    "RARECARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg takes it."""
    return url.replace("postgresql+psycopg", "postgresql")


def server_major_version() -> int:
    with psycopg.connect(libpq_url(SERVER)) as connection:
        return connection.info.server_version // 10000


@contextmanager
def scratch_database(name: str) -> Iterator[tuple[Engine, str]]:
    """(engine, SQLAlchemy URL) of a fresh, migrated database ``name``."""
    with psycopg.connect(libpq_url(SERVER), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        url = SERVER.rsplit("/", 1)[0] + f"/{name}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield engine, url
        finally:
            engine.dispose()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
