"""Database plumbing: declarative base, engine/session factories, Alembic migrations."""

from rarecare.storage import checks  # noqa: F401 - registers the check of every written text
from rarecare.storage.base import Base, in_chunks, utcnow
from rarecare.storage.engine import (
    READ_ONLY,
    make_engine,
    make_reader,
    make_sessionmaker,
    ping,
)

__all__ = [
    "READ_ONLY",
    "Base",
    "in_chunks",
    "make_engine",
    "make_reader",
    "make_sessionmaker",
    "ping",
    "utcnow",
]
